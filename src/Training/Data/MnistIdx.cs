using System.IO.Compression;

namespace Verify.Training.Data;

/// <summary>Reads MNIST in its original IDX format, gzip-compressed (<c>NAME.gz</c>) or raw (<c>NAME</c>).</summary>
public static class MnistIdx
{
    /// <summary>The four IDX files of MNIST (without the .gz suffix).</summary>
    public static readonly string[] FileNames =
    {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    };

    /// <summary>Images as floats in [0,1], [n, 784] flattened, and labels.</summary>
    public static (float[] Images, byte[] Labels, int Count) Load(string dir, bool train)
    {
        var prefix = train ? "train" : "t10k";
        var images = ReadAll(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"));
        var labels = ReadAll(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"));
        if (images.Length < 16 || labels.Length < 8 || BigEndian(images, 0) != 2051 || BigEndian(labels, 0) != 2049)
            throw new VerifyException($"{dir}: not MNIST IDX files ({prefix}-images/labels)");
        int n = BigEndian(images, 4), rows = BigEndian(images, 8), cols = BigEndian(images, 12);
        if (BigEndian(labels, 4) != n || images.Length < 16 + (long)n * rows * cols || labels.Length < 8 + n)
            throw new VerifyException($"{dir}: truncated or inconsistent MNIST IDX files ({prefix})");
        var x = new float[n * rows * cols];
        for (int i = 0; i < x.Length; i++) x[i] = images[16 + i] / 255f;
        return (x, labels.AsSpan(8, n).ToArray(), n);
    }

    /// <summary>Whether all four files are present in <paramref name="dir"/> (raw or gzip).</summary>
    public static bool Present(string dir) =>
        FileNames.All(f => File.Exists(Path.Combine(dir, f)) || File.Exists(Path.Combine(dir, f + ".gz")));

    /// <summary>The uncompressed bytes of an IDX file given without its .gz suffix (the raw file wins).</summary>
    public static byte[] ReadAll(string path)
    {
        if (File.Exists(path)) return File.ReadAllBytes(path);
        if (!File.Exists(path + ".gz")) throw new VerifyException($"MNIST file not found: {path}(.gz)");
        return Gunzip(File.ReadAllBytes(path + ".gz"));
    }

    /// <summary>Decompresses gzip data.</summary>
    public static byte[] Gunzip(byte[] data)
    {
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    static int BigEndian(byte[] b, int o) => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
