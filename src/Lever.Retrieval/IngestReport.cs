using Lever.Retrieval.Ingestion;

namespace Lever.Retrieval;

/// <summary>What an ingest or sync did.</summary>
/// <param name="Added">Documents new to the index.</param>
/// <param name="Updated">Documents whose content or metadata changed (re-indexed, version bumped).</param>
/// <param name="Unchanged">Documents skipped because their hash matched.</param>
/// <param name="Removed">Documents deleted because their file is gone.</param>
/// <param name="Chunks">Chunks written.</param>
/// <param name="Issues">Files or records skipped, with the reason.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="ChangedIds">Ids of the added and updated documents.</param>
public sealed record IngestReport(int Added, int Updated, int Unchanged, int Removed, int Chunks, IReadOnlyList<IngestIssue> Issues, TimeSpan Elapsed, IReadOnlyList<string> ChangedIds)
{
    /// <summary>Chunks sent to the embedding model (a changed document's unchanged chunks keep their vectors and are not counted).</summary>
    public int Embedded { get; init; }

    /// <summary>Chunks whose vector was kept from before (same title, heading and text).</summary>
    public int VectorsReused { get; init; }
}
