namespace Verify.Cli.Commands;

/// <summary>Result files that shard runs write, possibly into folders that do not exist yet (a fresh shared volume).</summary>
public static class OutputFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, creating its folder; a <see cref="VerifyException"/> when that is impossible.</summary>
    public static void Create(string path, string text)
    {
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
            File.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VerifyException($"cannot write {path}: {e.Message}");
        }
    }
}
