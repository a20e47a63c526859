namespace Lever.Retrieval.Ingestion;

/// <summary>
/// Structure-first chunking: every section (heading path) is chunked on its own, so a chunk never spans two
/// headings; a section longer than the token budget is cut into windows of at most <see cref="ChunkingOptions.MaxTokens"/>
/// words, preferring a sentence or line end in the window's second half, with <see cref="ChunkingOptions.OverlapTokens"/>
/// words repeated from the previous window. Cuts fall only between words (runs of non-whitespace), never inside one.
/// </summary>
public static class Chunker
{
    /// <summary>The chunks of <paramref name="doc"/>, in document order.</summary>
    public static List<ChunkSpan> Chunk(ExtractedDocument doc, ChunkingOptions options)
    {
        var chunks = new List<ChunkSpan>();
        var words = new List<(int Start, int End)>();
        foreach (var section in doc.Sections)
        {
            words.Clear();
            CollectWords(doc.Text, section.Start, section.End, words);
            if (words.Count == 0) continue;
            int i = 0;
            while (i < words.Count)
            {
                int end = Math.Min(i + options.MaxTokens, words.Count); // exclusive word index
                if (end < words.Count) end = BestCut(doc.Text, words, i, end);
                chunks.Add(new ChunkSpan(section.HeadingPath, words[i].Start, words[end - 1].End));
                if (end >= words.Count) break;
                i = Math.Max(end - options.OverlapTokens, i + 1);
            }
        }
        return chunks;
    }

    /// <summary>The latest sentence or line end in the second half of the window [from, to); else the window end.</summary>
    private static int BestCut(string text, List<(int Start, int End)> words, int from, int to)
    {
        int half = from + (to - from) / 2;
        for (int j = to - 1; j >= half; j--)
        {
            var (s, e) = words[j];
            char last = text[e - 1];
            bool lineEnd = e < text.Length && text[e] == '\n';
            if (last is '.' or '?' or '!' or ';' or ':' || lineEnd) return j + 1;
        }
        return to;
    }

    private static void CollectWords(string text, int start, int end, List<(int, int)> words)
    {
        int i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(text[i])) i++;
            if (i >= end) break;
            int s = i;
            while (i < end && !char.IsWhiteSpace(text[i])) i++;
            words.Add((s, i));
        }
    }
}
