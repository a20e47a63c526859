using Microsoft.Extensions.VectorData;

namespace Lever.Retrieval.VectorData;

/// <summary>
/// The record a Lever collection holds through Microsoft.Extensions.VectorData: one chunk of text with its
/// citation fields, who may read it, and its embedding. Any VectorData connector (Qdrant, pgvector, Azure AI
/// Search, …) can store the same type, given a collection definition with the embedding's dimensions.
/// </summary>
public sealed class RetrievalRecord
{
    /// <summary>Unique key (for ingested chunks: document id and chunk number).</summary>
    [VectorStoreKey]
    public string Key { get; set; } = "";

    /// <summary>The chunk text.</summary>
    [VectorStoreData(IsFullTextIndexed = true)]
    public string Text { get; set; } = "";

    /// <summary>Document title.</summary>
    [VectorStoreData]
    public string Title { get; set; } = "";

    /// <summary>Heading path of the chunk.</summary>
    [VectorStoreData]
    public string Heading { get; set; } = "";

    /// <summary>Who may read it: <c>*</c>, <c>u:NAME</c>, <c>g:NAME</c>; empty means everyone.</summary>
    [VectorStoreData(IsIndexed = true)]
    public List<string> Principals { get; set; } = [];

    /// <summary>The embedding (any dimension; one dimension per collection).</summary>
    [VectorStoreVector(384)]
    public ReadOnlyMemory<float> Vector { get; set; }
}
