using System.Text;

namespace Lever.Lab.Datasets.Email.Internal;

/// <summary>
/// One MIME entity (RFC 2045/2046): unfolded headers and a raw body. Text is held as Latin-1 so every byte
/// maps to one char and back: structure is parsed on chars, content is decoded from the original bytes.
/// </summary>
internal sealed class MimeEntity
{
    private readonly List<KeyValuePair<string, string>> _headers;

    private MimeEntity(List<KeyValuePair<string, string>> headers, string body)
    {
        _headers = headers;
        Body = body;
        var (type, parameters) = ParseContentType(Header("content-type"));
        ContentType = type;
        Parameters = parameters;
    }

    /// <summary>The raw body (Latin-1 chars, LF line ends).</summary>
    public string Body { get; }

    /// <summary>Lower-case media type, e.g. text/plain; text/plain when the header is absent or unreadable.</summary>
    public string ContentType { get; }

    /// <summary>Content-Type parameters (charset, boundary, …), names lower-case.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The first value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (k, v) in _headers)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }

    /// <summary>Parses an entity from Latin-1 text; a leading mbox "From " line is skipped.</summary>
    public static MimeEntity Parse(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var headers = new List<KeyValuePair<string, string>>();
        var pos = 0;
        var first = true;
        while (pos < text.Length)
        {
            var end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            var line = text[pos..end];
            if (line.Length == 0 || line.Trim().Length == 0 && headers.Count > 0)
            {
                pos = end + 1;
                break;
            }
            pos = end + 1;
            if (first && line.StartsWith("From ", StringComparison.Ordinal))
            {
                first = false;
                continue;
            }
            first = false;
            if (line[0] is ' ' or '\t' && headers.Count > 0)
            {
                // Folded header (RFC 5322 §2.2.3): the continuation belongs to the previous field.
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                // Not a header: a message with no blank line after its headers. The rest is body.
                pos -= line.Length + 1;
                break;
            }
            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        var body = pos < text.Length ? text[pos..] : "";
        return new MimeEntity(headers, body);
    }

    /// <summary>The parts of a multipart body, or null when the boundary never appears.</summary>
    public IReadOnlyList<MimeEntity>? Parts()
    {
        if (!Parameters.TryGetValue("boundary", out var boundary) || boundary.Length == 0) return null;
        var open = "--" + boundary;
        var close = open + "--";
        var parts = new List<MimeEntity>();
        StringBuilder? current = null;
        foreach (var raw in Body.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line == close)
            {
                if (current is not null) parts.Add(Parse(Trim(current)));
                current = null;
                break;
            }
            if (line == open)
            {
                if (current is not null) parts.Add(Parse(Trim(current)));
                current = new StringBuilder();
                continue;
            }
            current?.Append(raw).Append('\n');
        }
        // A missing closing delimiter (truncated mail) still yields the last part.
        if (current is not null) parts.Add(Parse(Trim(current)));
        return parts.Count == 0 ? null : parts;

        // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        static string Trim(StringBuilder sb) => sb.Length > 0 && sb[^1] == '\n' ? sb.ToString(0, sb.Length - 1) : sb.ToString();
    }

    /// <summary>The body's bytes after undoing its Content-Transfer-Encoding.</summary>
    public byte[] DecodedBody()
    {
        var bytes = Encoding.Latin1.GetBytes(Body);
        var cte = Header("content-transfer-encoding")?.Trim().Trim('"').ToLowerInvariant();
        try
        {
            return cte switch
            {
                "quoted-printable" => TransferEncoding.QuotedPrintable(bytes),
                "base64" => TransferEncoding.Base64(bytes),
                _ => bytes,
            };
        }
        catch (FormatException)
        {
            return bytes;
        }
    }

    private static (string Type, IReadOnlyDictionary<string, string> Parameters) ParseContentType(string? header)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header)) return ("text/plain", parameters);
        var pieces = SplitParameters(header);
        var type = pieces[0].Trim().ToLowerInvariant();
        if (!type.Contains('/', StringComparison.Ordinal)) type = "text/plain";
        foreach (var piece in pieces.Skip(1))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var name = piece[..eq].Trim().ToLowerInvariant();
            var value = piece[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            parameters.TryAdd(name, value);
        }
        return (type, parameters);
    }

    private static List<string> SplitParameters(string header)
    {
        // ';' separates parameters except inside quotes (boundaries may contain ';').
        var pieces = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in header)
        {
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted)
            {
                pieces.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        pieces.Add(current.ToString());
        return pieces;
    }
}
