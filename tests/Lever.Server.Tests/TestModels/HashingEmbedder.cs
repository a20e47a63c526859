using Microsoft.Extensions.AI;

namespace Lever.Server.Tests.TestModels;

/// <summary>
/// A deterministic embedder: feature hashing of lower-cased words into 16 dimensions (FNV-1a), L2-normalized;
/// usage counts words. Same text, same vector, so HTTP round trips can be compared exactly.
/// </summary>
internal sealed class HashingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 16;

    public static float[] Embed(string text)
    {
        var v = new float[Dimensions];
        foreach (var word in ReverseChatClient.Words(text.ToLowerInvariant()))
        {
            uint h = 2166136261;
            foreach (var c in word) h = (h ^ c) * 16777619;
            v[h % Dimensions] += (h & 0x10000) == 0 ? 1f : -1f;
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        if (norm > 0) for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(list.Select(t => new Embedding<float>(Embed(t))))
        {
            Usage = new UsageDetails { InputTokenCount = list.Sum(t => ReverseChatClient.Words(t).Length) },
        };
        result.Usage.TotalTokenCount = result.Usage.InputTokenCount;
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
