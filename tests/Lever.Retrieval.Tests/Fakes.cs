using Lever.Retrieval.Search;
using Microsoft.Extensions.AI;

namespace Lever.Retrieval.Tests;

/// <summary>
/// A deterministic embedding: each analysed term adds a fixed pseudo-random unit direction, so texts sharing
/// words (or listed synonyms) point the same way. Enough to test the vector path without a model.
/// </summary>
internal sealed class HashingEmbedder(int dimensions = 64, IReadOnlyDictionary<string, string>? synonyms = null) : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    /// <summary>Texts embedded so far, over all calls.</summary>
    public int Texts { get; private set; }

    /// <summary>What each embedding says in its "windows" property (null: nothing).</summary>
    public Func<string, int>? Windows { get; init; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var list = values.Select(v => new Embedding<float>(Embed(v))
        {
            AdditionalProperties = Windows is null ? null : new AdditionalPropertiesDictionary { ["windows"] = Windows(v) },
        }).ToList();
        Texts += list.Count;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list));
    }

    private float[] Embed(string text)
    {
        var v = new float[dimensions];
        foreach (var raw in TextAnalyzer.Terms(text))
        {
            var term = synonyms is not null && synonyms.TryGetValue(raw, out var s) ? s : raw;
            var rng = new Random(StableHash(term));
            for (int i = 0; i < dimensions; i++) v[i] += (float)(rng.NextDouble() - 0.5);
        }
        return v;
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 17;
            foreach (var c in s) h = h * 31 + c;
            return h;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
