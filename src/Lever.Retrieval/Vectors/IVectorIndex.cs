using Lever.Retrieval.Search;

namespace Lever.Retrieval.Vectors;

/// <summary>Nearest neighbours by cosine similarity over unit vectors, restricted to nodes a filter allows.</summary>
public interface IVectorIndex
{
    /// <summary>Number of vectors.</summary>
    int Count { get; }

    /// <summary>Vector dimension.</summary>
    int Dimensions { get; }

    /// <summary>The <paramref name="k"/> most similar allowed vectors to <paramref name="query"/>, best first (score = cosine).</summary>
    List<ScoredChunk> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? allow = null);
}
