namespace Lever.Evals.Metrics;

/// <summary>
/// Ranking metrics over one query's ranked ids and its set of relevant ids (binary relevance):
/// recall@k, reciprocal rank (mean it over queries for MRR) and nDCG@k with log2 discounts (Järvelin &amp; Kekäläinen, 2002).
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>Fraction of the relevant ids found in the top <paramref name="k"/>.</summary>
    public static double RecallAtK(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0) return 0;
        return (double)ranked.Take(k).Distinct().Count(relevant.Contains) / relevant.Count;
    }

    /// <summary>1 / rank of the first relevant id, 0 when none is ranked.</summary>
    public static double ReciprocalRank(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant)
    {
        for (int i = 0; i < ranked.Count; i++)
            if (relevant.Contains(ranked[i])) return 1.0 / (i + 1);
        return 0;
    }

    /// <summary>nDCG@k: DCG of the ranking over the DCG of an ideal ranking (all relevant first).</summary>
    public static double NdcgAtK(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k = 10)
    {
        if (relevant.Count == 0) return 0;
        double dcg = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
            if (relevant.Contains(ranked[i]) && seen.Add(ranked[i])) dcg += 1.0 / Math.Log2(i + 2);
        double ideal = 0;
        for (int i = 0; i < Math.Min(k, relevant.Count); i++) ideal += 1.0 / Math.Log2(i + 2);
        return dcg / ideal;
    }
}
