namespace Lever.Retrieval.Search;

/// <summary>
/// BM25 (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009) with field
/// weights in the manner of BM25F: a term's frequency is body + <see cref="HeadingWeight"/> × heading path +
/// <see cref="TitleWeight"/> × title, before saturation. The defaults come from a grid search on the PostgreSQL 15
/// docs question set (bench/retrieval, docs/PERFORMANCE.md): a chunk's own heading counts more than its parents'
/// headings, and milder length normalisation than the textbook b = 0.75 suits short reference entries.
/// </summary>
/// <param name="K1">Term-frequency saturation.</param>
/// <param name="B">Length normalisation (0 = none, 1 = full).</param>
/// <param name="HeadingWeight">Weight of a term in the chunk's heading path.</param>
/// <param name="TitleWeight">Weight of a term in the document title.</param>
/// <param name="AncestorWeight">Weight of a term in the headings above the chunk's own (its section's parents).</param>
/// <param name="ExpandQueries">Rewrite question idioms and add thesaurus synonyms (<see cref="QueryExpander"/>).</param>
public sealed record Bm25Parameters(float K1 = 1.6f, float B = 0.5f, float HeadingWeight = 2f, float TitleWeight = 1f, float AncestorWeight = 0.5f, bool ExpandQueries = true)
{
    /// <summary>The defaults.</summary>
    public static Bm25Parameters Default { get; } = new();
}
