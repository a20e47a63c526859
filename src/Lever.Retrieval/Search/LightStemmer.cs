namespace Lever.Retrieval.Search;

/// <summary>
/// A light English suffix stripper in the spirit of Harman's S-stemmer (1991) extended with -ing/-ed/-ly
/// and a final -e: it conflates "limit/limits/limited/limiting" and "time/times/timed/timing" without
/// Porter's aggressive derivational rules, which merge unrelated technical words ("general"/"generate").
/// </summary>
public static class LightStemmer
{
    /// <summary>The stem of a lower-case word.</summary>
    public static string Stem(ReadOnlySpan<char> w)
    {
        if (w.Length <= 3 || !char.IsLetter(w[^1])) return new string(w);
        // 1) plurals and third person
        if (w.EndsWith("ies") && w.Length > 4) w = string.Concat(w[..^3], "y");
        else if (w.EndsWith("sses")) w = w[..^2];
        else if (w.EndsWith("xes") || w.EndsWith("ches") || w.EndsWith("shes")) w = w[..^2];
        else if (w[^1] == 's' && w[^2] is not ('s' or 'u' or 'i')) w = w[..^1];
        // 2) -ing / -ed / -ly, only when a vowel stays in the stem
        if (w.Length > 5 && w.EndsWith("ing") && HasVowel(w[..^3])) w = Undouble(w[..^3]);
        else if (w.Length > 4 && w.EndsWith("ed") && HasVowel(w[..^2])) w = Undouble(w[..^2]);
        else if (w.Length > 5 && w.EndsWith("ly") && HasVowel(w[..^2])) w = w[..^2];
        // 3) final e, so "time" and "timing" meet at "tim"
        if (w.Length > 3 && w[^1] == 'e' && w[^2] != 'e') w = w[..^1];
        return new string(w);
    }

    private static ReadOnlySpan<char> Undouble(ReadOnlySpan<char> w)
    {
        if (w.Length > 3 && w[^1] == w[^2] && w[^1] is not ('l' or 's' or 'z') && !IsVowel(w[^1])) return w[..^1];
        return w;
    }

    private static bool HasVowel(ReadOnlySpan<char> w)
    {
        foreach (var c in w) if (IsVowel(c) || c == 'y') return true;
        return false;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
