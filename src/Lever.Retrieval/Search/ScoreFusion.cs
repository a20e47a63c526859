namespace Lever.Retrieval.Search;

/// <summary>
/// Relative score fusion: each ranked list's scores are min-max normalised over the list (best 1, worst 0; a chunk a
/// list does not hold counts 0 there), then combined as (1 − share)·lexical + share·vector. Unlike RRF it keeps how
/// far ahead the leader of a list is, so a BM25 hit far above the rest is not overtaken by a chunk that is merely
/// second in both lists.
/// </summary>
public static class ScoreFusion
{
    /// <summary>Fuses <paramref name="lexical"/> and <paramref name="vector"/>; best first, ties to the lower ordinal.</summary>
    public static List<ScoredChunk> Fuse(IReadOnlyList<ScoredChunk> lexical, IReadOnlyList<ScoredChunk> vector, int top, float vectorShare)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(vector);
        if (vectorShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(vectorShare), "the vector share is a fraction in [0, 1]");
        var scores = new Dictionary<int, float>();
        Add(lexical, 1 - vectorShare);
        Add(vector, vectorShare);
        return scores.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(top).Select(p => new ScoredChunk(p.Key, p.Value)).ToList();

        void Add(IReadOnlyList<ScoredChunk> list, float weight)
        {
            if (list.Count == 0) return;
            float max = list.Max(c => c.Score), min = list.Min(c => c.Score);
            float range = max - min;
            foreach (var c in list)
            {
                float normalised = range > 0 ? (c.Score - min) / range : 1;
                scores[c.Ordinal] = scores.GetValueOrDefault(c.Ordinal) + weight * normalised;
            }
        }
    }
}
