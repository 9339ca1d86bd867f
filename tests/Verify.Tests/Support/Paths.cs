namespace Verify.Tests.Support;

/// <summary>Where the repository, its examples and the shared benchmarks are.</summary>
public static class Paths
{
    /// <summary>The repository root (the folder holding Verify.sln).</summary>
    public static string Repo { get; } = FindRepo();

    /// <summary>A file under examples/.</summary>
    public static string Example(string name) => Path.Combine(Repo, "examples", name);

    /// <summary>The shared data folder ($VERIFY_SHARED or ../shared beside the repository), or null.</summary>
    public static string? Shared
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("VERIFY_SHARED");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
            var beside = Path.GetFullPath(Path.Combine(Repo, "..", "shared"));
            return Directory.Exists(beside) ? beside : null;
        }
    }

    /// <summary>A path under the shared folder; the test is skipped (ignored with a message) when it is absent.</summary>
    public static string SharedOrIgnore(params string[] parts)
    {
        var root = Shared;
        var path = root is null ? null : Path.Combine(new[] { root }.Concat(parts).ToArray());
        if (path is null || !(File.Exists(path) || Directory.Exists(path)))
            Assert.Ignore($"shared benchmark data not found ({Path.Combine(parts)}); set VERIFY_SHARED or place ../shared beside the repository");
        return path!;
    }

    static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Verify.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (Verify.sln) not found");
    }
}
