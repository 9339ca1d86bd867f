using System.IO.Compression;

namespace MakeExamples;

/// <summary>Reads MNIST in its original IDX format (gzip or not).</summary>
public static class MnistIdx
{
    /// <summary>Images as floats in [0,1], [n, 784] flattened, and labels.</summary>
    public static (float[] Images, byte[] Labels, int Count) Load(string dir, bool train)
    {
        var prefix = train ? "train" : "t10k";
        var images = ReadAll(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"));
        var labels = ReadAll(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"));
        if (BigEndian(images, 0) != 2051 || BigEndian(labels, 0) != 2049) throw new InvalidDataException("not MNIST IDX files");
        int n = BigEndian(images, 4), rows = BigEndian(images, 8), cols = BigEndian(images, 12);
        var x = new float[n * rows * cols];
        for (int i = 0; i < x.Length; i++) x[i] = images[16 + i] / 255f;
        return (x, labels.AsSpan(8, n).ToArray(), n);
    }

    static byte[] ReadAll(string path)
    {
        if (File.Exists(path)) return File.ReadAllBytes(path);
        if (!File.Exists(path + ".gz")) throw new FileNotFoundException($"MNIST file not found: {path}(.gz)");
        using var gz = new GZipStream(File.OpenRead(path + ".gz"), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    static int BigEndian(byte[] b, int o) => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
