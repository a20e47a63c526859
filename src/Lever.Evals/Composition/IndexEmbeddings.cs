using Lever.Core;
using Lever.Providers;
using Lever.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Composition;

/// <summary>
/// Which embedding model serves an index, for search, ask, recipes and the CLI alike: the provider lever.yaml names in
/// <c>indexes.&lt;name&gt;.embedding</c>; else, when the index has vectors, the local model that made them (built in,
/// resolved through <see cref="ProviderRegistry.LocalEmbeddings"/>, when this program registers a local backend); else none (BM25 only).
/// </summary>
public static class IndexEmbeddings
{
    /// <summary>The generator that embeds queries for <paramref name="index"/>, or null when it has no vectors and lever.yaml names no provider.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? ForSearch(ProviderRegistry providers, string name, IndexOptions? options, RetrievalIndex index)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(index);
        if (options?.Embedding is { } provider) return providers.RequireEmbeddings(provider, $"indexes.{name}.embedding");
        return index.HasVectors ? Local(providers, name, index.EmbeddingModel ?? ProviderRegistry.DefaultLocalEmbeddingModel) : null;
    }

    /// <summary>
    /// The generator an ingest embeds with: none with <paramref name="noVectors"/>; else lever.yaml's provider; else
    /// the model of the vectors already there; else the built-in local model when this program ships one.
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? ForIngest(ProviderRegistry providers, string name, IndexOptions? options, RetrievalIndex index, bool noVectors)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(index);
        if (noVectors) return null;
        if (options?.Embedding is not null || index.HasVectors) return ForSearch(providers, name, options, index);
        return providers.Connection.Backends.Serves("local") ? Local(providers, name, ProviderRegistry.DefaultLocalEmbeddingModel) : null;
    }

    private static IEmbeddingGenerator<string, Embedding<float>>? Local(ProviderRegistry providers, string name, string model)
    {
        try
        {
            // No local backend in this program: BM25 only, as before local embeddings existed (vector or hybrid mode then says why).
            return providers.LocalEmbeddings(model);
        }
        catch (LeverUserException e) when (!e.Message.StartsWith("index '", StringComparison.Ordinal))
        {
            throw new LeverUserException($"index '{name}': {e.Message}",
                $"{e.Hint}{(e.Hint is null ? "" : "; ")}or set indexes.{name}.embedding: <provider> to the provider that built it", e);
        }
    }
}
