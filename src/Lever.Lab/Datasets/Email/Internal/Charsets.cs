using System.Text;

namespace Lever.Lab.Datasets.Email.Internal;

/// <summary>Turns a MIME charset label into an <see cref="Encoding"/>, forgiving the mislabels real mail carries.</summary>
internal static class Charsets
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    static Charsets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Windows-1252: a superset of Latin-1 for printable text, the usual truth behind "us-ascii" 8-bit mail.</summary>
    public static Encoding Fallback { get; } = GetCodePage(1252);

    private static Encoding GetCodePage(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    /// <summary>Decodes <paramref name="bytes"/> declared as <paramref name="charset"/> (null when undeclared).</summary>
    public static string Decode(byte[] bytes, string? charset)
    {
        if (bytes.Length == 0) return "";
        var label = charset?.Trim().Trim('"', '\'').ToLowerInvariant();
        // Undeclared, ASCII or junk labels ("default", "x-unknown"): UTF-8 when the bytes are valid UTF-8, else 1252.
        if (label is null or "" or "us-ascii" or "ascii" or "default" or "default_charset" or "x-unknown" or "unknown-8bit" or "x-user-defined")
            return TryStrictUtf8(bytes) ?? Fallback.GetString(bytes);
        if (label is "utf-8" or "utf8")
            return TryStrictUtf8(bytes) ?? Fallback.GetString(bytes);
        try
        {
            return Encoding.GetEncoding(label).GetString(bytes);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            // An unknown label, or one .NET knows but refuses (charset=utf-7: NotSupportedException; found by AFL++).
            return TryStrictUtf8(bytes) ?? Fallback.GetString(bytes);
        }
    }

    private static string? TryStrictUtf8(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
