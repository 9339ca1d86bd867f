namespace Verify.Training.Data;

/// <summary>Where the MNIST files live: <c>--data-dir</c>, else <c>$VERIFY_DATA</c>, else a per-user cache folder.</summary>
public static class DataLocator
{
    /// <summary>The environment variable naming the data folder.</summary>
    public const string EnvironmentVariable = "VERIFY_DATA";

    /// <summary>The folder to read MNIST from (it may not exist yet).</summary>
    public static string Resolve(string? dataDir)
    {
        if (!string.IsNullOrWhiteSpace(dataDir)) return dataDir;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        return CacheFolder();
    }

    /// <summary>$XDG_CACHE_HOME/verify/mnist, else ~/.cache/verify/mnist.</summary>
    public static string CacheFolder()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "verify", "mnist");
    }
}
