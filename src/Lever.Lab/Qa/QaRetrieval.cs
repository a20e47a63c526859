namespace Lever.Lab.Qa;

/// <summary>How a QA recipe finds its passages.</summary>
public enum QaRetrieval
{
    /// <summary>No retrieval: the answerer has only the question (closed book).</summary>
    None,

    /// <summary>Lever's BM25 index over the documents.</summary>
    Bm25,

    /// <summary>BM25 and embedding search fused by reciprocal rank fusion.</summary>
    Hybrid,
}
