using System.Text;

namespace Verify.Benchmarks;

/// <summary>
/// The per-instance CSV of `verify bench`, written one complete line per finished instance and flushed to disk at
/// once, so that an interrupted run leaves valid CSV. Resumed, it keeps the rows already in the file (a trailing
/// partial line, left by a kill in mid-write, is cut off) and appends after them.
/// </summary>
public sealed class BenchCsv : IDisposable
{
    /// <summary>The header line.</summary>
    public const string Header = ResultCsv.Header;

    readonly FileStream stream;

    BenchCsv(FileStream stream, IReadOnlyList<ResultRow> previous)
    {
        this.stream = stream;
        Previous = previous;
    }

    /// <summary>The rows the file held when it was resumed (empty for a new file).</summary>
    public IReadOnlyList<ResultRow> Previous { get; }

    /// <summary>Creates (or overwrites) the file with just the header.</summary>
    public static BenchCsv Create(string path)
    {
        var stream = Open(path, FileMode.Create, FileAccess.Write);
        var csv = new BenchCsv(stream, Array.Empty<ResultRow>());
        csv.WriteLine(Header);
        return csv;
    }

    /// <summary>
    /// Opens the file to append after its complete rows (created with the header when absent or empty); a user error
    /// when its first line is not the header or a complete line is not a row.
    /// </summary>
    public static BenchCsv Resume(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0) return Create(path);
        var stream = Open(path, FileMode.Open, FileAccess.ReadWrite);
        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
            if (end == 0 && Header.StartsWith(Encoding.UTF8.GetString(bytes), StringComparison.Ordinal))
            {
                // Killed while writing the header: start again.
                stream.SetLength(0);
                stream.Seek(0, SeekOrigin.Begin);
                var fresh = new BenchCsv(stream, Array.Empty<ResultRow>());
                fresh.WriteLine(Header);
                return fresh;
            }
            var lines = Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.TrimEnd('\r')).ToArray();
            if (lines.Length == 0 || !ResultCsv.IsHeader(lines[0]))
                throw new VerifyException($"{path}: not a bench CSV (its first line must be '{Header}'); remove it or drop --resume");
            bool hasPeak = ResultCsv.HasPeak(lines[0]);
            var rows = new List<ResultRow>();
            for (int i = 1; i < lines.Length; i++)
                rows.Add(ResultCsv.ParseRow(lines[i], hasPeak, path, i + 1));
            // Cut off an unfinished last line and write after the last complete one.
            stream.SetLength(end);
            stream.Seek(end, SeekOrigin.Begin);
            return new BenchCsv(stream, rows);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends the outcome's row as one line and flushes it to disk.</summary>
    public void Append(InstanceOutcome outcome) => WriteLine(BenchmarkSummary.CsvRow(outcome).TrimEnd('\n'));

    void WriteLine(string line)
    {
        stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => stream.Dispose();

    /// <summary>Opens the file, creating its folder; a path that cannot be written is a user error.</summary>
    static FileStream Open(string path, FileMode mode, FileAccess access)
    {
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            return new FileStream(path, mode, access, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VerifyException($"cannot write {path}: {e.Message}");
        }
    }
}
