using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lever.Server.Requests;

/// <summary>
/// The server's records on disk, under one folder (<c>.lever/server/</c> for <c>lever serve</c>):
/// <list type="bullet">
/// <item><c>usage.jsonl</c>, always: one line per answered request with its identity, model, tokens, milliseconds and
/// cost — the ledger <c>lever usage</c> sums by month;</item>
/// <item><c>requests/YYYY-MM-DD.jsonl</c>, only when the log is on (<c>lever serve --log-requests</c>): the same plus the
/// messages and the answer, redacted (<see cref="Redactor"/>) — what <c>lever data from-logs</c> turns into a data set.</item>
/// </list>
/// Each line is written whole and flushed before the next request's (a kill loses at most the line being written,
/// which readers skip). A write failure is reported once through the warning callback and never fails a request.
/// </summary>
public sealed class RequestLog : IRequestRecorder
{
    /// <summary>The usage ledger's file name.</summary>
    public const string UsageFile = "usage.jsonl";

    /// <summary>The folder of the request log's daily files.</summary>
    public const string RequestsFolder = "requests";

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly Redactor? _redactor;
    private readonly Func<RequestRecord, double?> _cost;
    private readonly Action<string>? _warn;
    private bool _warned;

    /// <summary>
    /// Records into <paramref name="directory"/>; with <paramref name="content"/> the texts are logged too, redacted by it.
    /// <paramref name="cost"/> prices a request in USD (null: not priced).
    /// </summary>
    public RequestLog(string directory, Redactor? content, Func<RequestRecord, double?>? cost = null, Action<string>? warn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
        _redactor = content;
        _cost = cost ?? (_ => null);
        _warn = warn;
        Directory.CreateDirectory(_directory);
        if (content is not null) Directory.CreateDirectory(Path.Combine(_directory, RequestsFolder));
    }

    /// <summary>True when the texts are logged as well as the counts.</summary>
    public bool LogsContent => _redactor is not null;

    /// <inheritdoc/>
    public void Record(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            var usage = Line(record, withContent: false);
            var content = _redactor is null ? null : Line(record, withContent: true);
            lock (_lock)
            {
                Append(Path.Combine(_directory, UsageFile), usage);
                if (content is not null)
                    Append(Path.Combine(_directory, RequestsFolder, record.Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".jsonl"), content);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_lock)
            {
                if (_warned) return;
                _warned = true;
            }
            _warn?.Invoke($"lever serve: cannot write the request log in {_directory}: {e.Message} (requests are still answered; this is reported once)");
        }
    }

    private static void Append(string path, byte[] line)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        file.Write(line);
        file.Flush();
    }

    private byte[] Line(RequestRecord r, bool withContent)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", r.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            w.WriteString("identity", r.Identity);
            w.WriteString("model", r.Model);
            w.WriteNumber("prompt_tokens", r.PromptTokens);
            w.WriteNumber("completion_tokens", r.CompletionTokens);
            w.WriteNumber("ms", Math.Round(r.Milliseconds, 1));
            w.WriteBoolean("stream", r.Stream);
            if (_cost(r) is { } usd) w.WriteNumber("cost_usd", usd);
            else w.WriteNull("cost_usd");
            if (withContent)
            {
                w.WriteStartArray("messages");
                foreach (var m in r.Messages)
                {
                    w.WriteStartObject();
                    w.WriteString("role", m.Role);
                    w.WriteString("content", _redactor!.Apply(m.Content));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("answer", _redactor!.Apply(r.Answer));
                w.WriteStartArray("redacted");
                foreach (var k in _redactor.Kinds) w.WriteStringValue(k);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
