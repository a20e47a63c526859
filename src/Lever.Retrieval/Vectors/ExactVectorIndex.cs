using Lever.Retrieval.Internal;
using Lever.Retrieval.Search;

namespace Lever.Retrieval.Vectors;

/// <summary>Exact cosine search by scanning every vector: the reference for HNSW and the right choice for small collections.</summary>
public sealed class ExactVectorIndex : IVectorIndex
{
    private readonly float[] _data;

    /// <summary>Creates the index over <paramref name="vectors"/> (normalised copies are kept).</summary>
    public ExactVectorIndex(IReadOnlyList<float[]> vectors, int dimensions)
    {
        Dimensions = dimensions;
        Count = vectors.Count;
        _data = new float[(long)Count * dimensions];
        for (int i = 0; i < Count; i++)
        {
            var row = _data.AsSpan(i * dimensions, dimensions);
            vectors[i].AsSpan(0, dimensions).CopyTo(row);
            VectorMath.Normalize(row);
        }
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public List<ScoredChunk> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? allow = null)
    {
        var q = query.ToArray();
        VectorMath.Normalize(q);
        var heap = new PriorityQueue<int, (float, int)>(k + 1);
        for (int i = 0; i < Count; i++)
        {
            if (allow is not null && !allow(i)) continue;
            float s = VectorMath.Dot(q, _data.AsSpan(i * Dimensions, Dimensions));
            var key = (s, -i);
            if (heap.Count < k) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0) heap.DequeueEnqueue(i, key);
        }
        var result = new List<ScoredChunk>(heap.Count);
        while (heap.TryDequeue(out var i, out var key)) result.Add(new ScoredChunk(i, key.Item1));
        result.Reverse();
        return result;
    }
}
