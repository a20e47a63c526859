using Lever.Evals.Internal;

namespace Lever.Evals.Scoring;

/// <summary>SQuAD token F1: harmonic mean of token precision and recall over the multiset overlap of normalized tokens.</summary>
public static class TokenF1
{
    /// <summary>F1 in [0, 1]; two empty answers score 1.</summary>
    public static double Compute(string? prediction, string? expected)
    {
        var p = TextNormalizer.Tokens(prediction);
        var g = TextNormalizer.Tokens(expected);
        if (p.Count == 0 || g.Count == 0) return p.Count == g.Count ? 1.0 : 0.0;
        var counts = g.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal);
        int common = 0;
        foreach (var t in p)
        {
            if (counts.TryGetValue(t, out var c) && c > 0)
            {
                common++;
                counts[t] = c - 1;
            }
        }
        if (common == 0) return 0.0;
        double precision = (double)common / p.Count, recall = (double)common / g.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Fraction of the expected tokens present in <paramref name="text"/> (bag-of-words recall).</summary>
    public static double Recall(string? text, string? expected)
    {
        var g = TextNormalizer.Tokens(expected);
        if (g.Count == 0) return 0;
        var have = TextNormalizer.Tokens(text).ToHashSet(StringComparer.Ordinal);
        return (double)g.Count(have.Contains) / g.Count;
    }
}
