namespace Lever.Retrieval.Ingestion;

/// <summary>What reading one file gave: new or changed documents, ids that are unchanged, or the reason it was skipped.</summary>
public sealed record ReadResult(IReadOnlyList<ExtractedDocument> Documents, IReadOnlyList<string> Unchanged, IReadOnlyList<IngestIssue> Issues);
