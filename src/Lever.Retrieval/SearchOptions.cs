namespace Lever.Retrieval;

/// <summary>A search request beyond the query text.</summary>
/// <param name="K">Number of hits.</param>
/// <param name="Caller">Who is asking (null: anonymous, public documents only).</param>
/// <param name="Mode">Retrievers to use.</param>
/// <param name="Reranker">Optional re-ranking of the first <see cref="RerankDepth"/> hits.</param>
/// <param name="RerankDepth">How many hits the re-ranker sees.</param>
/// <param name="MaxChunksPerDocument">At most this many hits per document (0: no limit); 1 lists distinct documents.</param>
public sealed record SearchOptions(int K = 10, Caller? Caller = null, SearchMode Mode = SearchMode.Auto, IReranker? Reranker = null, int RerankDepth = 30, int MaxChunksPerDocument = 0)
{
    /// <summary>
    /// Vector and hybrid search embed the query as BM25's idiom rewriting leaves it ("how long" → "time duration
    /// timeout"; no thesaurus terms): measured better on pgdocs's questions (docs/PERFORMANCE.md). False embeds it verbatim.
    /// </summary>
    public bool RewriteVectorQuery { get; init; } = true;

    /// <summary>Hybrid search: how the two rankings are combined.</summary>
    public FusionMethod Fusion { get; init; } = FusionMethod.ReciprocalRank;

    /// <summary>Hybrid search with <see cref="FusionMethod.RelativeScore"/>: the vector ranking's share (0 = BM25 only, 1 = vectors only).</summary>
    public float VectorShare { get; init; } = 0.5f;

    /// <summary>Hybrid search: the RRF constant k (score = Σ weight / (k + rank)).</summary>
    public int FusionK { get; init; } = Search.ReciprocalRankFusion.DefaultK;

    /// <summary>Hybrid search: the weight of the vector ranking in the fusion (BM25's is 1).</summary>
    public float VectorWeight { get; init; } = 1f;
}
