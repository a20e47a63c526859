using Lever.Lab.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// The embedding model of the lab's semantic retrieval recipes (<c>rag-knn-vote-vector</c>,
/// <c>local-rag-few-shot-vector</c>): by default the local all-MiniLM-L6-v2, else the provider <c>lab.embedding</c>
/// names. Vectors are cached per model under <c>.lever/lab/embeddings/</c>, shared by the recipes and kept across runs.
/// The generator belongs to the caller (it is not disposed here).
/// </summary>
public sealed class LabEmbedding
{
    private readonly Lock _lock = new();
    private EmbeddingCache? _cache;
    private string? _cacheDir;

    /// <summary>Wraps <paramref name="generator"/>; <paramref name="id"/> names it in fingerprints, summaries and reports (<c>local/all-MiniLM-L6-v2</c>).</summary>
    public LabEmbedding(string id, IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(generator);
        Id = id;
        Generator = generator;
    }

    /// <summary>Provider and model, as fingerprints and reports name it.</summary>
    public string Id { get; }

    /// <summary>The generator, uncached.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; }

    /// <summary>Texts embedded by the model in this process (cache misses), for the stage details.</summary>
    public int Embedded => _cache?.Misses ?? 0;

    /// <summary>The cached generator for the lab whose state folder is <paramref name="labDir"/> (opened once).</summary>
    internal IEmbeddingGenerator<string, Embedding<float>> Cached(string labDir)
    {
        lock (_lock)
        {
            if (_cache is null || _cacheDir != labDir)
            {
                _cacheDir = labDir;
                var safe = string.Concat(Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
                _cache = new EmbeddingCache(Generator, Path.Combine(labDir, "embeddings", safe + ".bin"));
            }
            return _cache;
        }
    }
}
