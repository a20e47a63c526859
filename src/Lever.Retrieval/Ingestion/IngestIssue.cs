namespace Lever.Retrieval.Ingestion;

/// <summary>A file that could not be ingested, and why; the rest of the ingest goes on.</summary>
public sealed record IngestIssue(string Path, string Reason);
