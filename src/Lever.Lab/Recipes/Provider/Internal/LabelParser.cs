namespace Lever.Lab.Recipes.Provider.Internal;

/// <summary>
/// A chat model's reply to a label: the first word when it is a label ("Spam.", "**ham**", "spam - it offers…"),
/// else the one label the reply names as a whole word; null when it names none or several ("ham or spam?").
/// Case and surrounding punctuation or markdown are ignored. A negated label ("not spam", "isn't spam", "non-spam")
/// means the other label when there are two, and nothing otherwise — it is never read as the label it negates.
/// </summary>
internal static class LabelParser
{
    private static readonly string[] Negations = ["not", "no", "isn't", "isnt", "non", "never"];

    public static string? Parse(string? reply, IReadOnlyList<string> labels)
    {
        if (string.IsNullOrWhiteSpace(reply)) return null;
        var words = reply.Split((char[])[' ', '\t', '\r', '\n', ',', ';', ':', '.', '!', '?', '*', '`', '"', '(', ')', '[', ']', '_', '#', '/'],
            StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('\'')).Where(w => w.Length > 0).ToList();
        // "non-spam" / "not-spam" → "non", "spam"; a hyphenated label itself ("easy-ham") stays whole.
        words = words.SelectMany(w => Label(w, labels) is null && w.Split('-', 2) is [var head, var tail] && IsNegation(head) ? [head, tail] : new[] { w }).ToList();
        if (words.Count == 0) return null;

        var named = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            if (Label(words[i], labels) is not { } label) continue;
            var negated = i > 0 && IsNegation(words[i - 1]);
            var meant = negated ? (labels.Count == 2 ? labels.First(l => l != label) : null) : label;
            if (i == 0 || (i == 1 && negated)) return meant;   // the reply opens with its answer
            if (meant is null) return null;
            named.Add(meant);
        }
        named = named.Distinct(StringComparer.Ordinal).ToList();
        return named.Count == 1 ? named[0] : null;
    }

    private static string? Label(string word, IReadOnlyList<string> labels) =>
        labels.FirstOrDefault(l => string.Equals(l, word, StringComparison.OrdinalIgnoreCase));

    private static bool IsNegation(string word) => Negations.Contains(word, StringComparer.OrdinalIgnoreCase);
}
