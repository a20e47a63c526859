using System.Text.Json;

namespace Lever.Lab.Internal;

/// <summary>JSONL read/write for the lab's own files (snake_case, one record per line).</summary>
internal static class JsonLines
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Write<T>(string path, IEnumerable<T> rows)
    {
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp))
        {
            foreach (var row in rows) writer.WriteLine(JsonSerializer.Serialize(row, Options));
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads every complete line; a torn last line (a killed writer) is dropped when <paramref name="tolerateTornTail"/>.</summary>
    public static List<T> Read<T>(string path, bool tolerateTornTail = false)
    {
        var rows = new List<T>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(lines[i], Options)!);
            }
            catch (JsonException) when (tolerateTornTail && i == lines.Length - 1)
            {
                break;
            }
        }
        return rows;
    }
}
