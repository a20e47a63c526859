using System.Text;
using System.Text.Json;

namespace Lever.Core.Data;

/// <summary>
/// Streams a JSONL file line by line (never the whole file in memory). Tolerates a UTF-8 BOM and CRLF
/// line ends, skips blank lines, and reports each bad line with its number instead of stopping.
/// </summary>
public static class JsonlReader
{
    /// <summary>Longest line read (16 Mi characters); a longer one is a user error, not a whole file in one string.</summary>
    public const int MaxLineChars = 16 << 20;

    /// <summary>Every non-blank line, valid or not, in file order.</summary>
    public static IEnumerable<JsonlLine> ReadLines(string path)
    {
        if (!File.Exists(path))
            throw new LeverUserException($"{path}: file not found", "check the path; JSONL files hold one JSON object per line");
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        int number = 0;
        var buffer = new StringBuilder();
        while (Internal.BoundedLines.Read(reader, buffer, MaxLineChars, path, number + 1) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return Parse(path, number, line);
        }
    }

    /// <summary>Only the valid objects; the first invalid line throws a <see cref="LeverUserException"/> naming file and line.</summary>
    public static IEnumerable<JsonlLine> ReadObjects(string path)
    {
        foreach (var line in ReadLines(path))
        {
            if (!line.IsValid)
                throw new LeverUserException($"{line.Where}: {line.Error}", $"fix line {line.LineNumber} or remove it; `lever data validate {path}` lists every bad line");
            yield return line;
        }
    }

    private static JsonlLine Parse(string path, int number, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return new JsonlLine(path, number, default, $"expected a JSON object, found {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            return new JsonlLine(path, number, doc.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return new JsonlLine(path, number, default, $"invalid JSON ({FirstSentence(ex.Message)})");
        }
    }

    private static string FirstSentence(string message)
    {
        int dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message.TrimEnd('.');
    }
}
