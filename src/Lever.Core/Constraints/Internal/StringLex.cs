namespace Lever.Core.Constraints.Internal;

/// <summary>
/// Where a JSON string's lexer is between its quotes: after a backslash, inside <c>\uXXXX</c> (how many hex digits),
/// or inside a UTF-8 character (how many continuation bytes remain and the range the next one must fall in, as in
/// RFC 3629's table, so overlong forms and surrogates are refused). The default value is "plain text".
/// </summary>
internal readonly record struct StringLex(byte Escape, byte Hex, int HexValue, byte Utf8Need, byte Lo, byte Hi)
{
    /// <summary>
    /// Reads one byte: -1 when no valid string continues this way, 0 for a content byte, 1 for the closing quote.
    /// <paramref name="plainEscapes"/> refuses <c>\u</c> and <c>\/</c> (keys compared byte for byte with property names).
    /// </summary>
    public int Feed(byte b, bool plainEscapes, out StringLex next)
    {
        next = this;
        if (Utf8Need > 0)
        {
            if (b < Lo || b > Hi) return -1;
            next = this with { Utf8Need = (byte)(Utf8Need - 1), Lo = 0x80, Hi = 0xBF };
            return 0;
        }
        if (Escape == 1)
        {
            switch (b)
            {
                case (byte)'"' or (byte)'\\' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    next = default;
                    return 0;
                case (byte)'/' when !plainEscapes:
                    next = default;
                    return 0;
                case (byte)'u' when !plainEscapes:
                    next = this with { Escape = 2, Hex = 0, HexValue = 0 };
                    return 0;
                default:
                    return -1;
            }
        }
        if (Escape == 2)
        {
            var digit = HexDigit(b);
            if (digit < 0) return -1;
            var value = HexValue * 16 + digit;
            var count = Hex + 1;
            // \uD800-\uDFFF alone is a lone surrogate half, which strict parsers refuse: cut it at its second digit.
            if (count == 2 && value is >= 0xD8 and <= 0xDF) return -1;
            next = count == 4 ? default : this with { Hex = (byte)count, HexValue = value };
            return 0;
        }
        if (b == '"') return 1;
        if (b == '\\')
        {
            next = this with { Escape = 1 };
            return 0;
        }
        if (b < 0x20) return -1;
        if (b < 0x80) return 0;
        (byte need, byte lo, byte hi) = b switch
        {
            >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
            0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),
            0xED => ((byte)2, (byte)0x80, (byte)0x9F),
            >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
            0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),
            >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
            0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),
            _ => ((byte)0, (byte)0, (byte)0),
        };
        if (need == 0) return -1;
        next = new StringLex(0, 0, 0, need, lo, hi);
        return 0;
    }

    /// <summary>Fewest bytes that close the string from here.</summary>
    public int MinClose => Utf8Need > 0 ? Utf8Need + 1 : Escape == 1 ? 2 : Escape == 2 ? 4 - Hex + 1 : 1;

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
