namespace Lever.Retrieval.Evaluation;

/// <summary>
/// Ranking metrics over a ranked list of document ids with binary relevance: recall@k, reciprocal rank
/// and nDCG@k (Järvelin and Kekäläinen, 2002, with log2(rank + 1) discounting).
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>Share of the relevant documents found in the first <paramref name="k"/>.</summary>
    public static double RecallAt(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0) return 0;
        return ranked.Take(k).Distinct(StringComparer.Ordinal).Count(relevant.Contains) / (double)relevant.Count;
    }

    /// <summary>1 / rank of the first relevant document (0 when none is listed).</summary>
    public static double ReciprocalRank(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant)
    {
        for (int i = 0; i < ranked.Count; i++)
            if (relevant.Contains(ranked[i])) return 1.0 / (i + 1);
        return 0;
    }

    /// <summary>Normalised discounted cumulative gain at <paramref name="k"/> (each relevant document counted once).</summary>
    public static double NdcgAt(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0) return 0;
        double dcg = 0;
        var counted = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
            if (relevant.Contains(ranked[i]) && counted.Add(ranked[i])) dcg += 1 / Math.Log2(i + 2);
        double ideal = 0;
        for (int i = 0; i < Math.Min(k, relevant.Count); i++) ideal += 1 / Math.Log2(i + 2);
        return dcg / ideal;
    }

    /// <summary>Document ids of chunk hits in rank order, each document once (at its best chunk).</summary>
    public static List<string> Documents(IEnumerable<SearchHit> hits) => hits.Select(h => h.DocId).Distinct(StringComparer.Ordinal).ToList();
}
