using System.Security.Cryptography;

namespace Verify.Training.Data;

/// <summary>Options of an MNIST download.</summary>
/// <param name="BaseAddress">URL prefix; the files are fetched as BASE + NAME.gz.</param>
/// <param name="Timeout">Time limit per file.</param>
public sealed record DownloadOptions(string BaseAddress = DownloadOptions.DefaultBase, TimeSpan? Timeout = null)
{
    /// <summary>A public mirror of the original files.</summary>
    public const string DefaultBase = "https://ossci-datasets.s3.amazonaws.com/mnist/";
}

/// <summary>
/// Fetches the four gzip files of MNIST and checks the SHA-256 of their uncompressed IDX content (independent of how
/// a mirror compressed them) before writing them.
/// </summary>
public static class MnistDownloader
{
    /// <summary>SHA-256 of each uncompressed IDX file.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sha256 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ["train-labels-idx1-ubyte"] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ["t10k-images-idx3-ubyte"] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ["t10k-labels-idx1-ubyte"] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>Downloads the files missing from <paramref name="dir"/>; a <see cref="VerifyException"/> on any failure.</summary>
    public static void Download(string dir, DownloadOptions options, Action<string>? log = null)
    {
        Directory.CreateDirectory(dir);
        using var http = new HttpClient { Timeout = options.Timeout ?? TimeSpan.FromSeconds(60) };
        var baseAddress = options.BaseAddress.EndsWith('/') ? options.BaseAddress : options.BaseAddress + "/";
        foreach (var name in MnistIdx.FileNames)
        {
            var target = Path.Combine(dir, name + ".gz");
            if (File.Exists(target) || File.Exists(Path.Combine(dir, name))) continue;
            var url = baseAddress + name + ".gz";
            log?.Invoke($"downloading {url}");
            byte[] data;
            try
            {
                data = http.GetByteArrayAsync(url).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                throw new VerifyException($"cannot download {url} (no network or bad --download-base?): {OneLine(e.Message)}");
            }
            Check(name, data, url);
            File.WriteAllBytes(target, data);
        }
    }

    /// <summary>Throws when the uncompressed content of <paramref name="gz"/> does not have the expected SHA-256.</summary>
    public static void Check(string name, byte[] gz, string source)
    {
        byte[] raw;
        try
        {
            raw = MnistIdx.Gunzip(gz);
        }
        catch (InvalidDataException)
        {
            throw new VerifyException($"{source}: not a gzip file");
        }
        var actual = Convert.ToHexStringLower(SHA256.HashData(raw));
        if (actual != Sha256[name])
            throw new VerifyException($"{source}: SHA-256 mismatch (expected {Sha256[name]}, got {actual})");
    }

    static string OneLine(string s) => string.Join(" ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
