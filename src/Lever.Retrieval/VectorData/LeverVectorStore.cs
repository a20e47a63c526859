using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Lever.Retrieval.VectorData;

/// <summary>
/// Lever's store behind the Microsoft.Extensions.VectorData abstractions: a folder whose sub-folders are Lever
/// indexes (SQLite + BM25 + exact/HNSW vectors). Each collection is one index, so what a recipe writes through
/// VectorData is also searchable with <c>lever search --name &lt;collection&gt;</c>, and swapping this store for
/// another connector changes no recipe code.
/// </summary>
public sealed class LeverVectorStore : VectorStore
{
    private readonly string _root;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly Caller _caller;

    /// <summary>Creates the store over <paramref name="root"/> (e.g. <c>.lever/indexes</c>); searches run as <paramref name="caller"/> (default: public records only).</summary>
    public LeverVectorStore(string root, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, Caller? caller = null)
    {
        _root = Path.GetFullPath(root);
        _embedder = embedder;
        _caller = caller ?? Caller.Anonymous;
    }

    /// <inheritdoc />
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        if (typeof(TKey) != typeof(string) || typeof(TRecord) != typeof(RetrievalRecord))
            throw new NotSupportedException($"Lever's store holds collections of {nameof(RetrievalRecord)} keyed by string, not {typeof(TRecord).Name} keyed by {typeof(TKey).Name}.");
        return (VectorStoreCollection<TKey, TRecord>)(object)new LeverVectorStoreCollection(Path.Combine(_root, CheckName(name)), name, _embedder, _caller);
    }

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        throw new NotSupportedException($"Lever's store has no dynamic collections; use GetCollection<string, {nameof(RetrievalRecord)}>.");

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        if (!Directory.Exists(_root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(_root).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(dir, RetrievalIndex.StoreFileName))) yield return Path.GetFileName(dir);
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(Path.Combine(_root, CheckName(name), RetrievalIndex.StoreFileName)));

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(_root, CheckName(name));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(VectorStoreMetadata) ? new VectorStoreMetadata { VectorStoreSystemName = "lever" }
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    private static string CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a valid collection name (use letters, digits, '-' or '_').", nameof(name));
        return name;
    }
}
