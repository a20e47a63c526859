using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Lever.Core.Data;

/// <summary>
/// Checks that a text file a user brings is readable UTF-8 before anything parses it, so a Latin-1 export fails with
/// the line of its first bad byte (and the fix) instead of turning into replacement characters in the training data.
/// </summary>
public static class Utf8Text
{
    /// <summary>Throws a <see cref="LeverUserException"/> naming <paramref name="path"/> when it is missing, unreadable or not UTF-8.</summary>
    public static void Require(string path)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: file not found", "check the path (relative paths are from the workspace)");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            var chars = ArrayPool<char>.Shared.Rent(1 << 16);
            try
            {
                long offset = 0;
                int line = 1, carried = 0;
                while (true)
                {
                    var read = stream.Read(buffer, carried, (1 << 16) - carried);
                    var filled = carried + read;
                    var final = read == 0;
                    if (filled == 0) return;
                    var span = buffer.AsSpan(0, filled);
                    var status = Utf8.ToUtf16(span, chars, out var consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
                    line += span[..consumed].Count((byte)'\n');
                    if (status == System.Buffers.OperationStatus.InvalidData)
                        throw new LeverUserException($"{path}:{line}: bytes that are not UTF-8 (byte {offset + consumed} of the file)",
                            "save the file as UTF-8 (for example `iconv -f latin1 -t utf-8 in.csv > out.csv`)");
                    offset += consumed;
                    carried = filled - consumed;
                    if (final) return;
                    span[consumed..].CopyTo(buffer);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                ArrayPool<char>.Shared.Return(chars);
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new LeverUserException($"{path}: cannot be read ({ex.Message})", "check the file's permissions, or copy it somewhere readable");
        }
    }

    /// <summary>The strict UTF-8 encoding a checked file is read with.</summary>
    public static Encoding Strict { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
