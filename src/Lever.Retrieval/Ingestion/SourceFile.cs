namespace Lever.Retrieval.Ingestion;

/// <summary>A file found under an ingested root: its id (relative, '/'-separated) and full path.</summary>
public sealed record SourceFile(string RelativePath, string FullPath);
