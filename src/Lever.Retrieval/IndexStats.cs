namespace Lever.Retrieval;

/// <summary>Size and state of an index.</summary>
/// <param name="Documents">Documents.</param>
/// <param name="Chunks">Chunks.</param>
/// <param name="Vectors">Chunks with a dense vector.</param>
/// <param name="Terms">Distinct BM25 terms.</param>
/// <param name="Roots">Ingested roots.</param>
/// <param name="Interrupted">Roots whose last ingest did not finish (run <c>lever index sync</c>).</param>
/// <param name="StoreBytes">Bytes on disk for the SQLite store.</param>
/// <param name="IndexBytes">Bytes on disk for the index files (BM25, ANN).</param>
/// <param name="Generation">Counter bumped by every committed change.</param>
public sealed record IndexStats(int Documents, int Chunks, int Vectors, int Terms, IReadOnlyList<string> Roots, IReadOnlyList<string> Interrupted, long StoreBytes, long IndexBytes, long Generation)
{
    /// <summary>Embedding-model windows behind the vectors: a chunk longer than the model's window is embedded as several, pooled.</summary>
    public long Windows { get; init; }

    /// <summary>The model that made the vectors (as its generator names it), or null when the index has none.</summary>
    public string? EmbeddingModel { get; init; }

    /// <summary>The vectors' width, or null when the index has none.</summary>
    public int? EmbeddingDimensions { get; init; }
}
