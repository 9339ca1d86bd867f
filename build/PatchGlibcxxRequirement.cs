using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Renames the GLIBCXX_3.4.32 version requirement of libLibTorchSharp.so to GLIBCXX_3.4.30 when the host's
/// libstdc++ does not define GLIBCXX_3.4.32 (Debian 12). Idempotent; touches nothing else.
/// </summary>
public class PatchGlibcxxRequirement : Task
{
    const string Wanted = "GLIBCXX_3.4.32";
    const string Available = "GLIBCXX_3.4.30";

    [Required] public string[] Directories { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        string hostLib = FindHostLibStdCxx();
        if (hostLib == null) return true;
        if (Contains(File.ReadAllBytes(hostLib), Encoding.ASCII.GetBytes(Wanted + "\0"))) return true;
        foreach (var dir in Directories)
        {
            if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                try
                {
                    if (PatchFile(file))
                        Log.LogMessage(MessageImportance.High, "Patched " + Wanted + " -> " + Available + " in " + file);
                }
                catch (Exception e)
                {
                    Log.LogWarning("Could not patch " + file + ": " + e.Message);
                }
            }
        }
        return true;
    }

    static string FindHostLibStdCxx()
    {
        foreach (var d in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                                   "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" })
        {
            var p = Path.Combine(d, "libstdc++.so.6");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    static bool Contains(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + (byte)c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    static string ReadCString(byte[] b, long offset)
    {
        long end = offset;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)offset, (int)(end - offset));
    }

    /// <summary>Returns true when the file was changed.</summary>
    static bool PatchFile(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F') return false;
        if (b[4] != 2 || b[5] != 1) return false; // ELF64 little-endian only
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            uint type = BitConverter.ToUInt32(b, (int)sh + 4);
            if (type != 0x6ffffffe) continue; // SHT_GNU_verneed
            long off = BitConverter.ToInt64(b, (int)sh + 0x18);
            uint link = BitConverter.ToUInt32(b, (int)sh + 0x28);
            uint count = BitConverter.ToUInt32(b, (int)sh + 0x2C);
            long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize + 0x18));
            long vn = off;
            for (uint i = 0; i < count; i++)
            {
                ushort cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                uint file = BitConverter.ToUInt32(b, (int)vn + 4);
                uint aux = BitConverter.ToUInt32(b, (int)vn + 8);
                uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                if (ReadCString(b, strOff + file) == "libstdc++.so.6")
                {
                    long wantedAux = -1, availableName = -1;
                    long a = vn + aux;
                    for (int k = 0; k < cnt; k++)
                    {
                        uint nameOff = BitConverter.ToUInt32(b, (int)a + 8);
                        string name = ReadCString(b, strOff + nameOff);
                        if (name == Wanted) wantedAux = a;
                        if (name == Available) availableName = nameOff;
                        uint an = BitConverter.ToUInt32(b, (int)a + 12);
                        if (an == 0) break;
                        a += an;
                    }
                    if (wantedAux < 0) return false;
                    if (availableName >= 0)
                    {
                        BitConverter.GetBytes((uint)availableName).CopyTo(b, (int)wantedAux + 8);
                    }
                    else
                    {
                        // Same length: rewrite the string itself.
                        uint nameOff = BitConverter.ToUInt32(b, (int)wantedAux + 8);
                        Encoding.ASCII.GetBytes(Available).CopyTo(b, (int)(strOff + nameOff));
                    }
                    BitConverter.GetBytes(ElfHash(Available)).CopyTo(b, (int)wantedAux);
                    string tmp = path + ".patching";
                    File.WriteAllBytes(tmp, b);
                    File.Copy(tmp, path, true);
                    File.Delete(tmp);
                    return true;
                }
                if (next == 0) break;
                vn += next;
            }
        }
        return false;
    }
}
