using System.Text;
using System.Text.Json;

namespace Lever.Evals.Running;

/// <summary>
/// An append-only JSONL file of results, written one complete line per finished item and flushed at once, so a
/// kill -9 loses at most the line being written; a torn last line is ignored when reading back.
/// </summary>
internal sealed class ResultStore<T> : IDisposable where T : class
{
    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    public ResultStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FilePath = path;
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        // A torn line from a killed run has no newline: start on a fresh line so the next record stays whole.
        if (_stream.Length > 0 && LastByte(path) != (byte)'\n') _stream.WriteByte((byte)'\n');
    }

    public string FilePath { get; }

    public void Append(T value)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, EvalJson.Options) + "\n");
        lock (_lock)
        {
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
        }
    }

    public static List<T> ReadAll(string path)
    {
        var list = new List<T>();
        if (!File.Exists(path)) return list;
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<T>(line, EvalJson.Options) is { } v) list.Add(v);
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

    public void Dispose() => _stream.Dispose();
}
