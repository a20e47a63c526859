using System.Text;
using System.Text.RegularExpressions;
using Lever.Lab.Datasets.Email.Internal;

namespace Lever.Lab.Datasets.Email;

/// <summary>
/// Reads a raw RFC 5322 message (as stored in the SpamAssassin corpus: an mbox "From " line, headers, body) into
/// an <see cref="EmailMessage"/>: MIME multipart walked recursively, quoted-printable and base64 undone, charsets
/// honoured, HTML turned into text. Non-text parts (images, archives) are skipped. Never throws on malformed mail.
/// </summary>
public static partial class EmailParser
{
    private const int MaxDepth = 8;

    /// <summary>Parses the message in <paramref name="raw"/>.</summary>
    public static EmailMessage Parse(ReadOnlySpan<byte> raw)
    {
        var entity = MimeEntity.Parse(Encoding.Latin1.GetString(raw));
        var subject = EncodedWords.Decode(entity.Header("subject") ?? "");
        var from = EncodedWords.Decode(entity.Header("from") ?? "");
        var body = new StringBuilder();
        AppendText(entity, body, 0);
        return new EmailMessage(subject, from, Normalize(body.ToString()));
    }

    private static void AppendText(MimeEntity entity, StringBuilder output, int depth)
    {
        if (depth > MaxDepth) return;
        var type = entity.ContentType;
        if (type.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var parts = entity.Parts();
            if (parts is null)
            {
                // Declared multipart but no boundary in the body: what is there is still the message.
                output.Append(Charsets.Decode(entity.DecodedBody(), entity.Parameters.GetValueOrDefault("charset"))).Append('\n');
                return;
            }
            if (type == "multipart/alternative")
            {
                // The same content several ways: plain text when it has any, else the first part that yields text.
                foreach (var part in parts.Where(p => p.ContentType == "text/plain").Concat(parts))
                {
                    var alt = new StringBuilder();
                    AppendText(part, alt, depth + 1);
                    if (alt.ToString().Trim().Length == 0) continue;
                    output.Append(alt);
                    return;
                }
                return;
            }
            foreach (var part in parts) AppendText(part, output, depth + 1);
            return;
        }
        if (type == "message/rfc822")
        {
            var inner = MimeEntity.Parse(entity.Body);
            var subject = EncodedWords.Decode(inner.Header("subject") ?? "");
            if (subject.Length > 0) output.Append(subject).Append('\n');
            AppendText(inner, output, depth + 1);
            return;
        }
        if (!type.StartsWith("text/", StringComparison.Ordinal)) return;
        var text = Charsets.Decode(entity.DecodedBody(), entity.Parameters.GetValueOrDefault("charset"));
        if (type == "text/html" || (type == "text/plain" && LooksLikeHtml(text))) text = HtmlText.ToText(text);
        output.Append(text).Append('\n');
    }

    // Much spam is HTML sent without a Content-Type, or labelled text/plain.
    private static bool LooksLikeHtml(string text) => HtmlStart().IsMatch(text.Length > 2048 ? text[..2048] : text);

    [GeneratedRegex(@"<\s*(html|body|table|font|div|p|br|a\s+href)\b", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlStart();

    [GeneratedRegex(@"[ \t\u00A0\f\v]+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankRuns();

    private static string Normalize(string text)
    {
        var chars = text.Replace("\r", "", StringComparison.Ordinal)
            .Where(c => c == '\n' || c == '\t' || !char.IsControl(c)).ToArray();
        var lines = Spaces().Replace(new string(chars), " ").Split('\n').Select(l => l.Trim());
        return BlankRuns().Replace(string.Join('\n', lines), "\n\n").Trim();
    }
}
