namespace Lever.Retrieval.Search;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): score(d) = Σ 1 / (k + rank_i(d)) over the
/// ranked lists that contain d, with k = 60 as in the paper. Only ranks matter, so BM25 and cosine scores,
/// which live on different scales, need no calibration.
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>The paper's constant.</summary>
    public const int DefaultK = 60;

    /// <summary>Fuses ranked lists of chunk ordinals; best first, ties to the lower ordinal.</summary>
    public static List<ScoredChunk> Fuse(IEnumerable<IReadOnlyList<ScoredChunk>> lists, int top, int k = DefaultK) =>
        Fuse(lists.Select(l => (l, 1f)), top, k);

    /// <summary>Weighted fusion: each list's terms are multiplied by its weight (score = Σ w_i / (k + rank_i)).</summary>
    public static List<ScoredChunk> Fuse(IEnumerable<(IReadOnlyList<ScoredChunk> List, float Weight)> lists, int top, int k)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var scores = new Dictionary<int, float>();
        foreach (var (list, weight) in lists)
            for (int r = 0; r < list.Count; r++)
            {
                scores.TryGetValue(list[r].Ordinal, out var s);
                scores[list[r].Ordinal] = s + weight / (k + r + 1);
            }
        return scores.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(top).Select(p => new ScoredChunk(p.Key, p.Value)).ToList();
    }
}
