using System.Text;
using System.Text.RegularExpressions;

namespace Lever.Lab.Datasets.Email.Internal;

/// <summary>Header text: RFC 2047 encoded words (=?charset?Q|B?…?=) decoded, raw 8-bit bytes read as UTF-8 or 1252.</summary>
internal static partial class EncodedWords
{
    [GeneratedRegex(@"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")]
    private static partial Regex Word();

    /// <summary>Decodes a header value given as Latin-1 chars.</summary>
    public static string Decode(string latin1)
    {
        var output = new StringBuilder(latin1.Length);
        var pos = 0;
        var lastWasWord = false;
        foreach (Match m in Word().Matches(latin1))
        {
            var between = latin1[pos..m.Index];
            // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
            if (!(lastWasWord && between.Trim().Length == 0)) output.Append(Raw(between));
            var charset = m.Groups[1].Value;
            var star = charset.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0) charset = charset[..star]; // RFC 2231 language suffix
            var payload = Encoding.Latin1.GetBytes(m.Groups[3].Value);
            byte[] bytes;
            try
            {
                bytes = m.Groups[2].Value is "b" or "B" ? TransferEncoding.Base64(payload) : TransferEncoding.QuotedPrintable(payload, underscoreIsSpace: true);
            }
            catch (FormatException)
            {
                bytes = payload;
            }
            output.Append(Charsets.Decode(bytes, charset));
            pos = m.Index + m.Length;
            lastWasWord = true;
        }
        output.Append(Raw(latin1[pos..]));
        return output.ToString().Trim();
    }

    private static string Raw(string latin1) =>
        latin1.All(c => c < 0x80) ? latin1 : Charsets.Decode(Encoding.Latin1.GetBytes(latin1), null);
}
