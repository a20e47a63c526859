namespace Lever.Retrieval.Ingestion;

/// <summary>A span <c>[Start, End)</c> of a document's text under one heading path ("Chapter &gt; Section &gt; Item").</summary>
public sealed record DocumentSection(string HeadingPath, int Start, int End);
