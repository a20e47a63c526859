using Microsoft.Extensions.AI;

namespace Lever.Testing;

/// <summary>
/// A deterministic embedder by feature hashing: each word adds 1 (or ±1, <see cref="Signed"/>) to one of
/// <c>dimensions</c> counts, optionally L2-normalized. Texts that share words get similar vectors; the same
/// text always gets the same vector, so round trips can be compared exactly.
/// </summary>
public class WordHashEmbedder(int dimensions, Func<string, IEnumerable<string>> words) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    /// <summary>The hash that picks a word's dimension.</summary>
    public WordHash Hash { get; init; } = WordHash.Fnv1a;

    /// <summary>Bit 16 of the hash picks the sign of a word's contribution (so unrelated words cancel rather than pile up).</summary>
    public bool Signed { get; init; }

    /// <summary>Scales every non-zero vector to unit length.</summary>
    public bool Normalized { get; init; }

    /// <summary>The usage reported for a batch; null (the default) reports none.</summary>
    public Func<IReadOnlyList<string>, UsageDetails?> Usage { get; init; } = static _ => null;

    /// <summary>Batches embedded so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Lower-cases a text and splits it at <paramref name="separators"/>.</summary>
    public static IEnumerable<string> Split(string text, params char[] separators) =>
        text.ToLowerInvariant().Split(separators, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The vector of one text.</summary>
    public float[] Embed(string text)
    {
        var v = new float[dimensions];
        foreach (var word in words(text))
        {
            var h = HashOf(word);
            v[h % (uint)dimensions] += Signed && (h & 0x10000) != 0 ? -1f : 1f;
        }
        if (Normalized)
        {
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            if (norm > 0) for (int i = 0; i < v.Length; i++) v[i] /= norm;
        }
        return v;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var list = values.ToList();
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(t => new Embedding<float>(Embed(t)))) { Usage = Usage(list) });
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <inheritdoc />
    public void Dispose() => GC.SuppressFinalize(this);

    private uint HashOf(string word)
    {
        if (Hash == WordHash.Polynomial31) return (uint)word.Aggregate(17, (h, c) => unchecked(h * 31 + c));
        uint f = 2166136261;
        foreach (var c in word) f = (f ^ c) * 16777619;
        return f;
    }
}
