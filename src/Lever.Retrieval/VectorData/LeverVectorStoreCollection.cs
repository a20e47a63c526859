using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Lever.Retrieval.VectorData;

/// <summary>
/// One Lever index as a VectorData collection of <see cref="RetrievalRecord"/>: upserts and deletes commit to
/// SQLite atomically, vector search is exact below <see cref="RetrievalIndex.ExactSearchThreshold"/> records and
/// HNSW above, hybrid search fuses BM25 and vectors by RRF, and every read is filtered by the store's caller.
/// Filter expressions are not supported (Lever filters by permissions instead); passing one throws.
/// </summary>
public sealed class LeverVectorStoreCollection : VectorStoreCollection<string, RetrievalRecord>, IKeywordHybridSearchable<RetrievalRecord>
{
    private readonly string _directory;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly Caller _caller;
    private RetrievalIndex? _index;

    /// <summary>Creates the collection over the index folder <paramref name="directory"/>.</summary>
    public LeverVectorStoreCollection(string directory, string name, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, Caller? caller = null)
    {
        _directory = directory;
        Name = name;
        _embedder = embedder;
        _caller = caller ?? Caller.Anonymous;
    }

    /// <inheritdoc />
    public override string Name { get; }

    private RetrievalIndex Index => _index ??= RetrievalIndex.Open(_directory);

    private bool Exists => _index is not null || File.Exists(Path.Combine(_directory, RetrievalIndex.StoreFileName));

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Exists);

    /// <inheritdoc />
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        _ = Index;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _index?.Dispose();
        _index = null;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<RetrievalRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Exists ? Index.GetRecord(key, options?.IncludeVectors ?? false, _caller) : null);

    /// <inheritdoc />
    public override IAsyncEnumerable<RetrievalRecord> GetAsync(Expression<Func<RetrievalRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<RetrievalRecord>? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Lever's collections do not evaluate filter expressions; get records by key or search them.");

    /// <inheritdoc />
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        if (Exists) Index.DeleteRecords([key]);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task UpsertAsync(RetrievalRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    /// <inheritdoc />
    public override async Task UpsertAsync(IEnumerable<RetrievalRecord> records, CancellationToken cancellationToken = default)
    {
        var list = records.ToList();
        // Records without a vector get one from the embedding generator, when there is one.
        var missing = list.Where(r => r.Vector.Length == 0).ToList();
        if (missing.Count > 0 && _embedder is not null)
        {
            var embeddings = await _embedder.GenerateAsync(missing.Select(r => r.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < missing.Count; i++) missing[i].Vector = embeddings[i].Vector;
        }
        Index.UpsertRecords(list);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<VectorSearchResult<RetrievalRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<RetrievalRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (options?.Filter is not null) throw new NotSupportedException("Lever's collections do not evaluate filter expressions; permissions filter the search.");
        var vector = await ToVectorAsync(searchValue, cancellationToken).ConfigureAwait(false);
        foreach (var r in Results(Index.SearchRecords(vector, null, top + (options?.Skip ?? 0), _caller), options?.Skip ?? 0, options?.IncludeVectors ?? false, options?.ScoreThreshold))
            yield return r;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VectorSearchResult<RetrievalRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top, HybridSearchOptions<RetrievalRecord>? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default) where TInput : notnull
    {
        if (options?.Filter is not null) throw new NotSupportedException("Lever's collections do not evaluate filter expressions; permissions filter the search.");
        var vector = await ToVectorAsync(searchValue, cancellationToken).ConfigureAwait(false);
        foreach (var r in Results(Index.SearchRecords(vector, string.Join(' ', keywords), top + (options?.Skip ?? 0), _caller), options?.Skip ?? 0, options?.IncludeVectors ?? false, options?.ScoreThreshold))
            yield return r;
    }

    private IEnumerable<VectorSearchResult<RetrievalRecord>> Results(List<(string Key, double Score)> hits, int skip, bool includeVectors, double? threshold)
    {
        foreach (var (key, score) in hits.Skip(skip))
        {
            if (threshold is { } t && score < t) continue;
            if (Index.GetRecord(key, includeVectors, _caller) is { } record) yield return new VectorSearchResult<RetrievalRecord>(record, score);
        }
    }

    private async Task<ReadOnlyMemory<float>> ToVectorAsync<TInput>(TInput value, CancellationToken cancellationToken) => value switch
    {
        ReadOnlyMemory<float> m => m,
        float[] a => a,
        Embedding<float> e => e.Vector,
        string s when _embedder is not null => (await _embedder.GenerateAsync(s, cancellationToken: cancellationToken).ConfigureAwait(false)).Vector,
        string => throw new InvalidOperationException("searching by text needs an embedding generator; pass one to LeverVectorStore"),
        _ => throw new NotSupportedException($"search values of type {typeof(TInput).Name} are not supported (use a string, float[], ReadOnlyMemory<float> or Embedding<float>)"),
    };

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(VectorStoreCollectionMetadata) ? new VectorStoreCollectionMetadata { VectorStoreSystemName = "lever", CollectionName = Name }
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _index?.Dispose();
        base.Dispose(disposing);
    }
}
