namespace Lever.Engine.Internal;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to printable Unicode characters (openai/gpt-2 encoder.py
/// bytes_to_unicode): printable Latin-1 bytes map to themselves, the rest to U+0100 onwards, so a space is 'Ġ'.
/// Byte-level BPE vocabularies (GPT-2, Llama 3, Qwen, SmolLM) store their tokens in this alphabet.
/// </summary>
internal static class ByteLevelMap
{
    public static readonly char[] ByteToChar = Build();
    public static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, (byte)b)).ToDictionary(x => x.c, x => x.Item2);

    private static char[] Build()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>The bytes a token string stands for, or null if it has characters outside the alphabet.</summary>
    public static byte[]? Decode(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out var b)) return null;
            bytes[i] = b;
        }
        return bytes;
    }
}
