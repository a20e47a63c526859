namespace Lever.Retrieval.Search;

/// <summary>
/// Turns text into index terms for BM25: lower-cased runs of letters and digits, English stop words
/// dropped, a light suffix stemmer. Identifiers such as <c>statement_timeout</c> or <c>pg_stat.activity</c>
/// are kept whole and also split into their parts, so both "statement_timeout" and "statement timeout" match.
/// </summary>
public static class TextAnalyzer
{
    /// <summary>Calls <paramref name="emit"/> for every term of <paramref name="text"/>, in order.</summary>
    public static void Analyze(ReadOnlySpan<char> text, Action<string> emit)
    {
        Span<char> buffer = stackalloc char[64];
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            int start = i;
            // An identifier: letters and digits joined by '_' or '-' ("statement_timeout", "utf-8").
            while (i < text.Length && (char.IsLetterOrDigit(text[i])
                                       || (IsJoiner(text[i]) && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))))
                i++;
            var word = text[start..i];
            if (word.Length > 48) continue; // hashes, base64: never a useful query term
            bool compound = word.IndexOfAny('_', '-') >= 0;
            if (compound)
            {
                EmitOne(Lower(word, buffer), emit, stem: false);
                foreach (var range in word.SplitAny("_-"))
                {
                    var part = word[range];
                    if (part.Length > 0) EmitOne(Lower(part, buffer), emit, stem: true);
                }
            }
            else
            {
                EmitOne(Lower(word, buffer), emit, stem: true);
            }
        }
    }

    /// <summary>The terms of <paramref name="text"/> as a list.</summary>
    public static List<string> Terms(string text)
    {
        var list = new List<string>();
        Analyze(text, list.Add);
        return list;
    }

    private static bool IsJoiner(char c) => c is '_' or '-';

    private static ReadOnlySpan<char> Lower(ReadOnlySpan<char> word, Span<char> buffer)
    {
        var n = word.ToLowerInvariant(buffer);
        return buffer[..n];
    }

    private static void EmitOne(ReadOnlySpan<char> lower, Action<string> emit, bool stem)
    {
        if (lower.Length == 0) return;
        if (StopWords.Contains(lower)) return;
        emit(stem ? LightStemmer.Stem(lower) : new string(lower));
    }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        // Function words and the question scaffolding users type ("how do I ...", "what is the ...").
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done",
        "down", "during", "each", "either", "etc", "few", "for", "from", "further", "had", "has", "have", "having", "he",
        "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
        "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or",
        "other", "our", "ours", "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than",
        "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "whom", "why", "will", "with", "would", "you", "your", "yours", "may", "want", "get", "let", "s", "t",
    }.GetAlternateLookup<ReadOnlySpan<char>>();
}
