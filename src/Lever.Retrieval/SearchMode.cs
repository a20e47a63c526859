namespace Lever.Retrieval;

/// <summary>Which retrievers a search uses.</summary>
public enum SearchMode
{
    /// <summary>Hybrid when the index has vectors and an embedding generator is given, else lexical.</summary>
    Auto,

    /// <summary>BM25 only.</summary>
    Lexical,

    /// <summary>Dense vectors only.</summary>
    Vector,

    /// <summary>BM25 and vectors fused by reciprocal rank fusion.</summary>
    Hybrid,
}
