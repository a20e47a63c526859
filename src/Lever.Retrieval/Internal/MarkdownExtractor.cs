using System.Text.RegularExpressions;

namespace Lever.Retrieval.Internal;

/// <summary>
/// Markdown sections from ATX headings (<c># Title</c> .. <c>###### Title</c>), ignoring '#' lines inside
/// fenced code. The text is kept as written, so a citation's span points into the file itself.
/// </summary>
internal static partial class MarkdownExtractor
{
    [GeneratedRegex(@"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")]
    private static partial Regex AtxHeading();

    public static (string Title, string Text, List<Lever.Retrieval.Ingestion.DocumentSection> Sections) Extract(string text, string fallbackTitle)
    {
        text = text.ReplaceLineEndings("\n");
        var sections = new List<Lever.Retrieval.Ingestion.DocumentSection>();
        var stack = new List<(int Level, string Title)>();
        string? title = null;
        int sectionStart = 0, pos = 0;
        bool bodySeen = false, inFence = false;
        string path = "";
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)) inFence = !inFence;
            var m = inFence ? Match.Empty : AtxHeading().Match(line);
            if (m.Success)
            {
                int level = m.Groups[1].Length;
                var heading = m.Groups[2].Value.Trim();
                if (level == 1) title ??= heading;
                // A heading with no body yet is folded into the next section, as in HTML.
                if (bodySeen) Close(sections, text, sectionStart, pos, path);
                if (bodySeen) sectionStart = pos;
                while (stack.Count > 0 && stack[^1].Level >= level) stack.RemoveAt(stack.Count - 1);
                stack.Add((level, heading));
                path = string.Join(" > ", stack.Select(h => h.Title));
                bodySeen = false;
            }
            else if (line.Trim().Length > 0)
            {
                bodySeen = true;
            }
            pos += line.Length + 1;
        }
        Close(sections, text, sectionStart, Math.Min(pos, text.Length), path);
        return (title ?? fallbackTitle, text, sections);
    }

    private static void Close(List<Lever.Retrieval.Ingestion.DocumentSection> sections, string text, int start, int end, string path)
    {
        end = Math.Min(end, text.Length);
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        if (end > start) sections.Add(new Lever.Retrieval.Ingestion.DocumentSection(path, start, end));
    }
}
