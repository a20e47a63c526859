using System.Collections.Concurrent;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Retrieval;
using Lever.Providers;
using Lever.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Composition.Internal;

/// <summary>
/// An <see cref="IRetriever"/> over the workspace's retrieval indexes, opened on first use by name. The eval item's
/// user and groups become the search's caller, so permission filtering happens inside the search, before top-k.
/// </summary>
internal sealed class IndexRetriever(Workspace workspace, LeverConfig config, ProviderRegistry providers) : IRetriever, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(RetrievalIndex Index, IEmbeddingGenerator<string, Embedding<float>>? Embedder)>> _open = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<RetrievedPassage>> RetrieveAsync(RetrievalRequest request, CancellationToken cancellationToken = default)
    {
        var (index, embedder) = _open.GetOrAdd(request.Index, name => new(() => OpenIndex(name))).Value;
        var caller = new Caller(request.User, request.Groups);
        var hits = await index.SearchAsync(request.Query, new SearchOptions(request.K, caller, request.Mode), embedder, cancellationToken).ConfigureAwait(false);
        // The id is what an answer's [n] resolves to in scoring: the chunk's document and character span, stable across runs.
        return hits.Select(h => new RetrievedPassage($"{h.DocId}#{h.Start}-{h.End}", h.Text, h.Score, h.Citation)).ToList();
    }

    private (RetrievalIndex, IEmbeddingGenerator<string, Embedding<float>>?) OpenIndex(string name)
    {
        var dir = Path.Combine(workspace.IndexesDir, name);
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !File.Exists(Path.Combine(dir, RetrievalIndex.StoreFileName)))
            throw new LeverUserException($"retrieval index '{name}' does not exist in {workspace.Root} (looked for {dir})",
                $"run `lever index add <folder> --name {name}` in the workspace first");
        var options = config.Section<Dictionary<string, IndexOptions>>("indexes") is { } all && all.TryGetValue(name, out var o) ? o : null;
        var index = RetrievalIndex.Open(dir);
        try
        {
            return (index, IndexEmbeddings.ForSearch(providers, name, options, index));
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var entry in _open.Values.Where(v => v.IsValueCreated))
        {
            entry.Value.Index.Dispose();
            entry.Value.Embedder?.Dispose();
        }
    }
}
