using System.Text;

namespace Lever.Core.Data.Internal;

/// <summary>
/// StreamReader.ReadLine without its unbounded buffer: a file with no line break would otherwise be read whole
/// into one string. Lines end at \n, \r\n or \r, as ReadLine's do; a line longer than the cap is a user error.
/// </summary>
internal static class BoundedLines
{
    /// <summary>The next line of <paramref name="reader"/> (null at the end), refused past <paramref name="maxChars"/>.</summary>
    public static string? Read(TextReader reader, StringBuilder buffer, int maxChars, string path, int lineNumber)
    {
        buffer.Clear();
        while (true)
        {
            var c = reader.Read();
            if (c < 0) return buffer.Length == 0 ? null : buffer.ToString();
            if (c == '\n') return buffer.ToString();
            if (c == '\r')
            {
                if (reader.Peek() == '\n') reader.Read();
                return buffer.ToString();
            }
            if (buffer.Length == maxChars)
                throw new LeverUserException($"{path}:{lineNumber}: line longer than {maxChars:N0} characters",
                    "one JSON object per line, each under that size: split long documents into several records");
            buffer.Append((char)c);
        }
    }
}
