using System.IO.Compression;
using Verify.Tests.Support;
using Verify.Training.Data;

namespace Verify.Tests.Training;

/// <summary>The IDX reader, the download checks and the data-folder resolution.</summary>
public class DataTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-data-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var header = new List<byte>();
        foreach (var v in new[] { magic }.Concat(dims)) header.AddRange(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });
        return header.Concat(data).ToArray();
    }

    static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    void WriteSet(string prefix, bool gzip, byte[] pixels, byte[] labels)
    {
        var images = Idx(2051, new[] { labels.Length, 2, 3 }, pixels);
        var lab = Idx(2049, new[] { labels.Length }, labels);
        var (iName, lName) = ($"{prefix}-images-idx3-ubyte", $"{prefix}-labels-idx1-ubyte");
        if (gzip)
        {
            File.WriteAllBytes(Path.Combine(dir, iName + ".gz"), Gzip(images));
            File.WriteAllBytes(Path.Combine(dir, lName + ".gz"), Gzip(lab));
        }
        else
        {
            File.WriteAllBytes(Path.Combine(dir, iName), images);
            File.WriteAllBytes(Path.Combine(dir, lName), lab);
        }
    }

    [Test]
    public void ReadsRawAndGzipIdx()
    {
        var pixels = Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray();
        WriteSet("train", gzip: true, pixels, new byte[] { 7, 3 });
        WriteSet("t10k", gzip: false, pixels.Reverse().ToArray(), new byte[] { 1, 9 });
        var (x, y, n) = MnistIdx.Load(dir, train: true);
        Assert.That(n, Is.EqualTo(2));
        Assert.That(y, Is.EqualTo(new byte[] { 7, 3 }));
        Assert.That(x, Is.EqualTo(pixels.Select(p => p / 255f).ToArray()));
        var (xt, yt, nt) = MnistIdx.Load(dir, train: false);
        Assert.That(nt, Is.EqualTo(2));
        Assert.That(yt, Is.EqualTo(new byte[] { 1, 9 }));
        Assert.That(xt[0], Is.EqualTo(220 / 255f));
        Assert.That(MnistIdx.Present(dir), Is.True);
    }

    [Test]
    public void RejectsFilesThatAreNotIdx()
    {
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 });
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        var e = Assert.Throws<VerifyException>(() => MnistIdx.Load(dir, train: true));
        Assert.That(e!.Message, Does.Contain("not MNIST IDX"));
    }

    [Test]
    public void Sha256MismatchIsReported()
    {
        var wrong = Gzip(Idx(2049, new[] { 1 }, new byte[] { 5 }));
        var e = Assert.Throws<VerifyException>(() => MnistDownloader.Check("t10k-labels-idx1-ubyte", wrong, "http://mirror/x.gz"));
        Assert.That(e!.Message, Does.Contain("SHA-256 mismatch").And.Contain("http://mirror/x.gz"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void NoNetworkIsOneClearLine()
    {
        var e = Assert.Throws<VerifyException>(() =>
            MnistDownloader.Download(dir, new DownloadOptions("http://127.0.0.1:9/", TimeSpan.FromSeconds(10))));
        Assert.That(e!.Message, Does.StartWith("cannot download http://127.0.0.1:9/train-images-idx3-ubyte.gz"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
        Assert.That(Directory.GetFiles(dir), Is.Empty, "nothing is written on failure");
    }

    [Test]
    public void DataDirOptionWinsOverTheEnvironment()
    {
        Assert.That(DataLocator.Resolve("/some/dir"), Is.EqualTo("/some/dir"));
        var old = Environment.GetEnvironmentVariable(DataLocator.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataLocator.EnvironmentVariable, "/env/dir");
            Assert.That(DataLocator.Resolve(null), Is.EqualTo("/env/dir"));
            Environment.SetEnvironmentVariable(DataLocator.EnvironmentVariable, null);
            Assert.That(DataLocator.Resolve(null), Does.EndWith(Path.Combine("verify", "mnist")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataLocator.EnvironmentVariable, old);
        }
    }

    [Test]
    public void RealMnistHasTheExpectedSizes()
    {
        var mnist = Paths.SharedOrIgnore("data", "mnist");
        var (x, y, n) = MnistIdx.Load(mnist, train: false);
        Assert.That(n, Is.EqualTo(10000));
        Assert.That(x.Length, Is.EqualTo(10000 * 784));
        Assert.That(y.Distinct().Count(), Is.EqualTo(10));
        Assert.That(x.Min(), Is.EqualTo(0f));
        Assert.That(x.Max(), Is.EqualTo(1f));
    }
}
