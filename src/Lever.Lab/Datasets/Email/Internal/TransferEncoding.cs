namespace Lever.Lab.Datasets.Email.Internal;

/// <summary>
/// Content-Transfer-Encoding decoders (RFC 2045 §6.7 quoted-printable, §6.8 base64), written to survive the
/// malformed input that real spam is full of: a bad escape stays literal, broken base64 decodes as far as it can.
/// </summary>
internal static class TransferEncoding
{
    /// <summary>Decodes quoted-printable bytes: "=XX" escapes, "=" + line break is a soft break.</summary>
    public static byte[] QuotedPrintable(ReadOnlySpan<byte> input, bool underscoreIsSpace = false)
    {
        var output = new List<byte>(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (b == '_' && underscoreIsSpace)
            {
                output.Add((byte)' ');
            }
            else if (b != '=')
            {
                output.Add(b);
            }
            else if (i + 1 < input.Length && input[i + 1] == '\n')
            {
                i += 1;
            }
            else if (i + 2 < input.Length && input[i + 1] == '\r' && input[i + 2] == '\n')
            {
                i += 2;
            }
            else if (i + 2 < input.Length && Hex(input[i + 1]) is var hi and >= 0 && Hex(input[i + 2]) is var lo and >= 0)
            {
                output.Add((byte)(hi * 16 + lo));
                i += 2;
            }
            else
            {
                output.Add(b);
            }
        }
        return [.. output];
    }

    /// <summary>Decodes base64, skipping line breaks and stray characters; a truncated tail is dropped.</summary>
    public static byte[] Base64(ReadOnlySpan<byte> input)
    {
        var clean = new char[input.Length];
        var n = 0;
        foreach (var b in input)
        {
            if (b == '=') break;
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'+' or (byte)'/')
                clean[n++] = (char)b;
        }
        // A lone trailing character carries fewer than 8 bits: drop it rather than fail.
        if (n % 4 == 1) n--;
        var padded = new string(clean, 0, n) + new string('=', (4 - n % 4) % 4);
        return Convert.FromBase64String(padded);
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
