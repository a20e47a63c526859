using Lever.Evals.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests.TestModels;

/// <summary>A deterministic embedder: normalized words hashed (FNV-1a) into 64 counts; usage = words embedded.</summary>
internal sealed class BagOfWordsEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var list = values.ToList();
        var vectors = list.Select(text =>
        {
            var v = new float[64];
            foreach (var w in TextNormalizer.Tokens(text))
            {
                uint h = 2166136261;
                foreach (var c in w) h = (h ^ c) * 16777619;
                v[h % 64] += 1;
            }
            return new Embedding<float>(v);
        });
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(vectors)
        {
            Usage = new UsageDetails { InputTokenCount = list.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) },
        });
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
