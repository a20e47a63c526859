namespace Lever.Retrieval.Search;

/// <summary>A chunk ordinal in an in-memory index with its score.</summary>
public readonly record struct ScoredChunk(int Ordinal, float Score);
