namespace Lever.Retrieval.Search;

/// <summary>
/// BM25 (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009) with field
/// weights in the manner of BM25F: a term's frequency is body + <see cref="HeadingWeight"/> × heading path +
/// <see cref="TitleWeight"/> × title, before saturation. The weights were tuned on the PostgreSQL docs question
/// set (bench/retrieval, docs/PERFORMANCE.md).
/// </summary>
/// <param name="K1">Term-frequency saturation.</param>
/// <param name="B">Length normalisation (0 = none, 1 = full).</param>
/// <param name="HeadingWeight">Weight of a term in the chunk's heading path.</param>
/// <param name="TitleWeight">Weight of a term in the document title.</param>
/// <param name="ExpandQueries">Rewrite question idioms and add thesaurus synonyms (<see cref="QueryExpander"/>).</param>
public sealed record Bm25Parameters(float K1 = 1.2f, float B = 0.75f, float HeadingWeight = 2f, float TitleWeight = 2f, bool ExpandQueries = true)
{
    /// <summary>The defaults.</summary>
    public static Bm25Parameters Default { get; } = new();
}
