using System.Text;

namespace Lever.Evals.Internal;

/// <summary>
/// Answer normalization as in the SQuAD evaluation script (Rajpurkar et al., 2016): lower case, drop
/// punctuation and the articles a/an/the, collapse whitespace. Shared by normalized match, token F1,
/// contains and the diagnosis heuristics so they agree on what "the same answer" means.
/// </summary>
internal static class TextNormalizer
{
    private static readonly HashSet<string> Articles = ["a", "an", "the"];

    public static string Normalize(string? text) => string.Join(' ', Tokens(text));

    public static List<string> Tokens(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
            sb.Append(char.IsPunctuation(c) || char.IsSymbol(c) ? ' ' : c);
        return sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(t => !Articles.Contains(t)).ToList();
    }

    /// <summary>True when the normalized <paramref name="needle"/> occurs in the normalized <paramref name="haystack"/> on token boundaries.</summary>
    public static bool ContainsNormalized(string? haystack, string? needle)
    {
        var n = Normalize(needle);
        if (n.Length == 0) return false;
        return (" " + Normalize(haystack) + " ").Contains(" " + n + " ", StringComparison.Ordinal);
    }
}
