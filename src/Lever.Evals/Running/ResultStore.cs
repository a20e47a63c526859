using System.Text;
using System.Text.Json;

namespace Lever.Evals.Running;

/// <summary>
/// The one resumable result file of <c>lever eval</c> and <c>lever lab</c>: append-only JSONL, one complete line per
/// finished item, flushed at once, so a kill -9 loses at most the line being written; a torn line is ignored when
/// reading back, and a resumed run skips the items whose lines are there.
/// </summary>
/// <typeparam name="T">One line's record.</typeparam>
public sealed class ResultStore<T> : IDisposable where T : class
{
    private readonly FileStream _stream;
    private readonly JsonSerializerOptions _json;
    private readonly bool _flushToDisk;
    private readonly Lock _lock = new();

    /// <summary>
    /// Opens <paramref name="path"/> for appending (created with its folder when missing). Lines are written with
    /// <paramref name="json"/> (Evals' options by default); <paramref name="flushToDisk"/> also survives a power cut, at an fsync per line.
    /// </summary>
    public ResultStore(string path, JsonSerializerOptions? json = null, bool flushToDisk = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FilePath = path;
        _json = json ?? EvalJson.Options;
        _flushToDisk = flushToDisk;
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        // A torn line from a killed run has no newline: start on a fresh line so the next record stays whole.
        if (_stream.Length > 0 && LastByte(path) != (byte)'\n') _stream.WriteByte((byte)'\n');
    }

    /// <summary>The file appended to.</summary>
    public string FilePath { get; }

    /// <summary>Appends one record as one line and flushes it (safe to call from several threads).</summary>
    public void Append(T value)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, _json) + "\n");
        lock (_lock)
        {
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: _flushToDisk);
        }
    }

    /// <summary>Every whole record in <paramref name="path"/> (none when it does not exist); torn lines are skipped.</summary>
    public static List<T> ReadAll(string path, JsonSerializerOptions? json = null)
    {
        var list = new List<T>();
        if (!File.Exists(path)) return list;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<T>(line, json ?? EvalJson.Options) is { } v) list.Add(v);
            }
            catch (JsonException)
            {
                // torn line from an interrupted write: that item simply runs again
            }
        }
        return list;
    }

    private static byte LastByte(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (f.Length == 0) return (byte)'\n';
        f.Seek(-1, SeekOrigin.End);
        return (byte)f.ReadByte();
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
