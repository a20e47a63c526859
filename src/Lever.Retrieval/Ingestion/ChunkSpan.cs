namespace Lever.Retrieval.Ingestion;

/// <summary>A chunk of a document: its heading path and character span <c>[Start, End)</c> in the document text.</summary>
public sealed record ChunkSpan(string HeadingPath, int Start, int End);
