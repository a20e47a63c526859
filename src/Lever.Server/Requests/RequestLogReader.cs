using System.Globalization;
using System.Text.Json;
using Lever.Core;

namespace Lever.Server.Requests;

/// <summary>
/// Reads what <see cref="RequestLog"/> wrote. A torn last line (the server was killed mid-write) is skipped; a broken
/// line anywhere else is a user error naming file:line, since something other than the server changed the file.
/// </summary>
public static class RequestLogReader
{
    /// <summary>Every line of the usage ledger in <paramref name="directory"/> (none when there is no ledger yet).</summary>
    public static IReadOnlyList<LoggedRequest> Usage(string directory)
    {
        var path = Path.Combine(directory, RequestLog.UsageFile);
        return File.Exists(path) ? Read(path, content: false) : [];
    }

    /// <summary>
    /// Every logged request (with its texts) in <paramref name="directory"/>'s daily files from <paramref name="from"/>
    /// to <paramref name="to"/> (inclusive, UTC days; null: unbounded), oldest first.
    /// </summary>
    public static IReadOnlyList<LoggedRequest> Requests(string directory, DateOnly? from = null, DateOnly? to = null)
    {
        var folder = Path.Combine(directory, RequestLog.RequestsFolder);
        if (!Directory.Exists(folder))
            throw new LeverUserException($"{folder}: no request log", "serve with `lever serve --log-requests` first (requests are logged only when asked), or pass --logs DIR");
        var days = Directory.GetFiles(folder, "*.jsonl")
            .Select(f => (File: f, Day: DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(f), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null))
            .Where(x => x.Day is { } d && (from is null || d >= from) && (to is null || d <= to))
            .OrderBy(x => x.Day);
        return days.SelectMany(x => Read(x.File, content: true)).ToList();
    }

    private static List<LoggedRequest> Read(string path, bool content)
    {
        var lines = File.ReadAllLines(path);
        var result = new List<LoggedRequest>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                result.Add(Parse(lines[i], content));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                if (i == lines.Length - 1) break; // torn by a kill mid-write
                throw new LeverUserException($"{path}:{i + 1}: not a request log line ({e.Message})", "the server writes these files; delete the broken line or restore the file");
            }
        }
        return result;
    }

    private static LoggedRequest Parse(string line, bool content)
    {
        using var doc = JsonDocument.Parse(line);
        var o = doc.RootElement;
        var time = DateTimeOffset.Parse(o.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        double? cost = o.TryGetProperty("cost_usd", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
        List<RecordedMessage>? messages = null;
        string? answer = null;
        if (content)
        {
            messages = o.GetProperty("messages").EnumerateArray().Select(m => new RecordedMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
            answer = o.GetProperty("answer").GetString()!;
        }
        return new LoggedRequest(time, o.GetProperty("identity").GetString()!, o.GetProperty("model").GetString()!, o.GetProperty("prompt_tokens").GetInt64(),
            o.GetProperty("completion_tokens").GetInt64(), o.GetProperty("ms").GetDouble(), cost, messages, answer);
    }
}
