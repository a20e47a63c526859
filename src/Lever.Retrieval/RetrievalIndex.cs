using System.Diagnostics;
using System.Text.Json;
using Lever.Retrieval.Ingestion;
using Lever.Retrieval.Search;
using Lever.Retrieval.Storage;
using Lever.Retrieval.Vectors;
using Microsoft.Extensions.AI;

namespace Lever.Retrieval;

/// <summary>
/// A retrieval index on local disk (a folder, normally <c>.lever/indexes/&lt;name&gt;/</c>): an SQLite store of
/// documents and chunks plus derived index files (BM25 postings, HNSW graph) rebuilt whenever the store's
/// generation moves past theirs. Ingest and sync commit in batches, so an interrupted run keeps what it finished
/// and the next run picks up the rest by content hash.
/// </summary>
public sealed class RetrievalIndex : IDisposable
{
    /// <summary>File name of the SQLite store inside the index folder.</summary>
    public const string StoreFileName = "index.db";

    /// <summary>The root under which records written through Microsoft.Extensions.VectorData live.</summary>
    internal const string RecordsRoot = "vectordata:records";

    private const string Bm25FileName = "bm25.bin";
    private const string HnswFileName = "hnsw.bin";
    private const int BatchDocuments = 64;
    private const int BatchChunks = 2000;
    private const int BackfillBatch = 256;
    private const int EmbedBatch = 128;
    private const string EmbeddingModelKey = "embedding.model";

    private readonly IndexStore _store;
    private readonly Bm25Parameters _bm25;
    private Snapshot? _snapshot;

    private RetrievalIndex(string directory, Bm25Parameters bm25)
    {
        Directory = directory;
        _bm25 = bm25;
        System.IO.Directory.CreateDirectory(directory);
        _store = new IndexStore(Path.Combine(directory, StoreFileName));
    }

    /// <summary>The index folder.</summary>
    public string Directory { get; }

    /// <summary>Collections with at most this many vectors are searched exactly; larger ones through HNSW (set before the first search or ingest).</summary>
    public int ExactSearchThreshold { get; set; } = 20_000;

    /// <summary>HNSW settings for large collections.</summary>
    public HnswOptions Hnsw { get; set; } = new();

    /// <summary>A pause after each file while ingesting: lets tests interrupt an ingest at a known pace.</summary>
    public TimeSpan DelayPerFile { get; set; }

    /// <summary>Opens (or creates) the index in <paramref name="directory"/>.</summary>
    public static RetrievalIndex Open(string directory, Bm25Parameters? bm25 = null) => new(Path.GetFullPath(directory), bm25 ?? Bm25Parameters.Default);

    /// <summary>Ingests <paramref name="root"/> (a folder or file) and remembers it for <see cref="SyncAsync"/>.</summary>
    public Task<IngestReport> AddAsync(string root, IndexOptions options, IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(root);
        if (!File.Exists(full) && !System.IO.Directory.Exists(full))
            throw new Lever.Core.LeverUserException($"{full}: no such file or folder", "give the folder that holds your documents");
        return IngestRootAsync(full, options, embedder, progress, cancellationToken);
    }

    /// <summary>Re-reads every remembered root: new and changed documents are (re-)indexed, removed ones deleted.</summary>
    public async Task<IngestReport> SyncAsync(IndexOptions options, IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var roots = _store.Roots();
        if (roots.Count == 0)
            throw new Lever.Core.LeverUserException($"the index in {Directory} has no documents yet", "run `lever index add <folder>` first");
        var reports = new List<IngestReport>();
        foreach (var (_, path, _) in roots)
        {
            if (path.StartsWith(RecordsRoot, StringComparison.Ordinal)) continue; // written through VectorData, not from files
            if (!File.Exists(path) && !System.IO.Directory.Exists(path))
            {
                reports.Add(await RemoveRootAsync(path, cancellationToken).ConfigureAwait(false));
                continue;
            }
            reports.Add(await IngestRootAsync(path, WithRootFilters(path, options), embedder, progress, cancellationToken).ConfigureAwait(false));
        }
        return new IngestReport(reports.Sum(r => r.Added), reports.Sum(r => r.Updated), reports.Sum(r => r.Unchanged), reports.Sum(r => r.Removed),
            reports.Sum(r => r.Chunks), reports.SelectMany(r => r.Issues).ToList(), TimeSpan.FromTicks(reports.Sum(r => r.Elapsed.Ticks)),
            reports.SelectMany(r => r.ChangedIds).ToList()) { Embedded = reports.Sum(r => r.Embedded), VectorsReused = reports.Sum(r => r.VectorsReused) };
    }

    /// <summary>Adds the include/exclude globs a root was added with, unless lever.yaml sets its own.</summary>
    private IndexOptions WithRootFilters(string root, IndexOptions options)
    {
        if (options.Include is not null || options.Exclude is not null) return options;
        if (_store.Get("filters:" + root) is not { } json || JsonSerializer.Deserialize<RootFilters>(json) is not { } f) return options;
        return new IndexOptions
        {
            Path = options.Path, Include = f.Include, Exclude = f.Exclude, ChunkTokens = options.ChunkTokens, ChunkOverlap = options.ChunkOverlap,
            TextField = options.TextField, Embedding = options.Embedding, Rules = options.Rules,
        };
    }

    private sealed record RootFilters(List<string>? Include, List<string>? Exclude);

    private Task<IngestReport> RemoveRootAsync(string path, CancellationToken cancellationToken)
    {
        // The folder is gone: every document under it goes too.
        cancellationToken.ThrowIfCancellationRequested();
        var sw = Stopwatch.StartNew();
        long root = _store.StartRoot(path);
        var known = _store.Documents(root);
        using (var tx = _store.Begin())
        {
            foreach (var (_, k) in known) _store.DeleteDocument(tx, k.Row);
            _store.BumpGeneration(tx);
            tx.Commit();
        }
        _store.FinishRoot(root);
        return Task.FromResult(new IngestReport(0, 0, 0, known.Count, 0, [new IngestIssue(path, "the ingested folder no longer exists; its documents were removed")], sw.Elapsed, []));
    }

    private async Task<IngestReport> IngestRootAsync(string root, IndexOptions options, IEmbeddingGenerator<string, Embedding<float>>? embedder,
        IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var chunking = options.ToChunking();
        chunking.Validate();
        // Remember the globs this root was added with, so a later sync reads the same files.
        _store.Set("filters:" + root, JsonSerializer.Serialize(new RootFilters(options.Include, options.Exclude)));
        var sw = Stopwatch.StartNew();
        var reader = new DocumentReader(options);
        long rootId = _store.StartRoot(root);
        var known = _store.Documents(rootId);
        var files = reader.Enumerate(root).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var issues = new List<IngestIssue>();
        var changed = new List<string>();
        var batch = new List<(ExtractedDocument Doc, int Version, List<ChunkSpan> Chunks)>();
        int added = 0, updated = 0, unchanged = 0, chunkCount = 0, batchChunks = 0, embedded = 0, reused = 0;

        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            // Embed outside the transaction: a slow provider must not hold the write lock. A changed document's
            // chunks whose embedding text is unchanged keep their vectors: only what changed goes to the model.
            var vectors = new (float[]? Vector, int Windows)[batch.Count][];
            for (int d = 0; d < batch.Count; d++) vectors[d] = new (float[]?, int)[batch[d].Chunks.Count];
            if (embedder is not null)
            {
                var pending = new List<(int Doc, int Chunk, string Text)>();
                for (int d = 0; d < batch.Count; d++)
                {
                    var (doc, _, chunks) = batch[d];
                    Dictionary<string, (float[], int)>? old = null;
                    if (known.TryGetValue(doc.Id, out var before))
                    {
                        old = new Dictionary<string, (float[], int)>(StringComparer.Ordinal);
                        foreach (var o in _store.DocumentVectors(before.Row)) old.TryAdd(EmbeddingText(o.Title, o.Heading, o.Text), (o.Vector, o.Windows));
                    }
                    for (int c = 0; c < chunks.Count; c++)
                    {
                        var text = EmbeddingText(doc, chunks[c]);
                        if (old is not null && old.TryGetValue(text, out var kept))
                        {
                            vectors[d][c] = kept;
                            reused++;
                        }
                        else pending.Add((d, c, text));
                    }
                }
                if (pending.Count > 0)
                {
                    var embeddings = await EmbedAsync(embedder, pending.Select(p => p.Text).ToList(), CancellationToken.None).ConfigureAwait(false);
                    for (int i = 0; i < pending.Count; i++) vectors[pending[i].Doc][pending[i].Chunk] = (embeddings[i].Vector.ToArray(), WindowsOf(embeddings[i]));
                    embedded += pending.Count;
                }
            }
            using (var tx = _store.Begin())
            {
                for (int d = 0; d < batch.Count; d++)
                {
                    var (doc, version, chunks) = batch[d];
                    var stored = new StoredDocument(doc.Id, doc.Title, doc.Source, version, doc.Hash, doc.Tags, doc.Principals, doc.Text);
                    var rows = chunks.Select((c, i) => new StoredChunk(c.HeadingPath, c.Start, c.End, vectors[d][i].Vector, vectors[d][i].Windows)).ToList();
                    _store.WriteDocument(tx, rootId, stored, rows);
                }
                _store.BumpGeneration(tx);
                tx.Commit();
            }
            batch.Clear();
            batchChunks = 0;
        }

        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = files[i];
                var result = reader.Read(file, id => known.TryGetValue(id, out var k) ? k.Hash : null);
                issues.AddRange(result.Issues);
                if (result.Documents.Count == 0 && result.Unchanged.Count == 0 && result.Issues.Count > 0)
                {
                    // Unreadable now: keep what the index had for it rather than deleting it as removed.
                    foreach (var id in known.Keys)
                        if (id == file.RelativePath || id.StartsWith(file.RelativePath + "#", StringComparison.Ordinal)) seen.Add(id);
                }
                foreach (var id in result.Unchanged) seen.Add(id);
                unchanged += result.Unchanged.Count;
                foreach (var doc in result.Documents)
                {
                    seen.Add(doc.Id);
                    var chunks = Chunker.Chunk(doc, chunking);
                    int version = 1;
                    if (known.TryGetValue(doc.Id, out var old))
                    {
                        version = old.Version + 1;
                        updated++;
                    }
                    else added++;
                    changed.Add(doc.Id);
                    batch.Add((doc, version, chunks));
                    batchChunks += chunks.Count;
                    chunkCount += chunks.Count;
                }
                if (batch.Count >= BatchDocuments || batchChunks >= BatchChunks) await FlushAsync().ConfigureAwait(false);
                progress?.Report(new IngestProgress(i + 1, files.Count, file.RelativePath));
                if (DelayPerFile > TimeSpan.Zero) await Task.Delay(DelayPerFile, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Cancelled or not, what was read is committed: the next run will not redo it.
            await FlushAsync().ConfigureAwait(false);
        }

        var removed = known.Keys.Where(id => !seen.Contains(id)).ToList();
        if (removed.Count > 0)
        {
            using var tx = _store.Begin();
            foreach (var id in removed) _store.DeleteDocument(tx, known[id].Row);
            _store.BumpGeneration(tx);
            tx.Commit();
        }
        // Chunks that have no vector yet (indexed without vectors before, or unchanged since): embed them now, a batch per commit.
        if (embedder is not null) embedded += await BackfillAsync(embedder, progress, cancellationToken).ConfigureAwait(false);
        _store.FinishRoot(rootId);
        EnsureLoaded(); // build the index files now, so the first query does not pay for it
        return new IngestReport(added, updated, unchanged, removed.Count, chunkCount, issues, sw.Elapsed, changed) { Embedded = embedded, VectorsReused = reused };
    }

    private async Task<int> BackfillAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        int n = 0, total = _store.CountChunksWithoutVectors();
        while (true)
        {
            if (total > 0) progress?.Report(new IngestProgress(n, total, $"embedding chunks ({n}/{total})"));
            cancellationToken.ThrowIfCancellationRequested();
            var rows = _store.ChunksWithoutVectors(BackfillBatch);
            if (rows.Count == 0) return n;
            var embeddings = await EmbedAsync(embedder, rows.Select(r => EmbeddingText(r.Title, r.Heading, r.Text)).ToList(), cancellationToken).ConfigureAwait(false);
            using (var tx = _store.Begin())
            {
                for (int i = 0; i < rows.Count; i++) _store.SetVector(tx, rows[i].Row, embeddings[i].Vector.ToArray(), WindowsOf(embeddings[i]));
                _store.BumpGeneration(tx);
                tx.Commit();
            }
            n += rows.Count;
        }
    }

    /// <summary>Embeds in calls of at most <see cref="EmbedBatch"/> texts (hosted APIs cap a request; a local model stays under a call timeout), checking each against the stored vectors.</summary>
    private async Task<List<Embedding<float>>> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, List<string> texts, CancellationToken cancellationToken)
    {
        var all = new List<Embedding<float>>(texts.Count);
        foreach (var part in texts.Chunk(EmbedBatch))
        {
            var embeddings = await embedder.GenerateAsync(part, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != part.Length)
                throw new InvalidOperationException($"the embedding generator returned {embeddings.Count} vectors for {part.Length} texts");
            CheckEmbedding(embedder, embeddings);
            all.AddRange(embeddings);
        }
        return all;
    }

    /// <summary>The index's name in messages: its folder's name.</summary>
    private string Name => Path.GetFileName(Directory);

    /// <summary>
    /// New vectors must match the ones stored: same width and, where both are named, the same model. Records the
    /// model on first use. A mismatch is a user error naming the index and the fix.
    /// </summary>
    private void CheckEmbedding(IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<Embedding<float>> embeddings)
    {
        if (embeddings.Count == 0) return;
        int dims = embeddings[0].Vector.Length;
        var model = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? embeddings[0].ModelId;
        var storedDims = _store.VectorDimensions();
        var storedModel = _store.Get(EmbeddingModelKey);
        if (storedDims is { } d && d != dims)
            throw DimensionMismatch(d, storedModel, dims, model);
        if (storedDims is not null && storedModel is not null && model is not null && !string.Equals(storedModel, model, StringComparison.Ordinal))
            throw new Lever.Core.LeverUserException($"index '{Name}': its vectors were made by {storedModel}, this run embeds with {model}",
                $"embed with {storedModel} again (indexes.{Name}.embedding in lever.yaml), or rebuild: delete {Directory} and run `lever index add` again");
        if (model is not null && storedModel != model) _store.Set(EmbeddingModelKey, model);
    }

    private Lever.Core.LeverUserException DimensionMismatch(int stored, string? storedModel, int given, string? model) =>
        new($"index '{Name}': its vectors have {stored} dimensions{(storedModel is null ? "" : $" ({storedModel})")}, the embedding model{(model is null ? "" : $" {model}")} gives {given}",
            $"use the model that built it (indexes.{Name}.embedding in lever.yaml), or rebuild with this one: delete {Directory} and run `lever index add` again (--no-vectors: BM25 only)");

    private static int WindowsOf(Embedding<float> e) =>
        e.AdditionalProperties?.TryGetValue("windows", out var w) == true && w is int n && n > 0 ? n : 1;

    private static string EmbeddingText(ExtractedDocument doc, ChunkSpan chunk) => EmbeddingText(doc.Title, chunk.HeadingPath, doc.Text[chunk.Start..chunk.End]);

    private static string EmbeddingText(string title, string heading, string text) => $"{title}\n{heading}\n{text}";

    /// <summary>The model that made this index's vectors (as its generator names it), or null when none is recorded.</summary>
    public string? EmbeddingModel => _store.VectorDimensions() is null ? null : _store.Get(EmbeddingModelKey);

    /// <summary>True when the index holds dense vectors.</summary>
    public bool HasVectors => _store.VectorDimensions() is not null;

    /// <summary>
    /// The retrievers a search with <paramref name="requested"/> uses: <see cref="SearchMode.Auto"/> is hybrid when the
    /// index has vectors and an embedder is given, else lexical; the others are themselves.
    /// </summary>
    public SearchMode ModeFor(SearchMode requested, bool hasEmbedder) =>
        requested != SearchMode.Auto ? requested : hasEmbedder && HasVectors ? SearchMode.Hybrid : SearchMode.Lexical;

    /// <summary>Lexical (BM25) search; never sees chunks the caller may not read.</summary>
    public IReadOnlyList<SearchHit> Search(string query, SearchOptions? options = null)
    {
        options ??= new SearchOptions();
        var snapshot = EnsureLoaded();
        var filter = AccessFilter.For(snapshot.AclSets, options.Caller ?? Caller.Anonymous);
        int pool = options.MaxChunksPerDocument > 0 ? options.K * 8 : options.K;
        var ranked = snapshot.Bm25.Search(query, pool, filter);
        return Collapse(ToHits(snapshot, ranked), options);
    }

    /// <summary>
    /// Search with every retriever <paramref name="options"/> asks for: BM25, vectors through
    /// <paramref name="embedder"/>, fused by RRF, then the optional re-ranker.
    /// </summary>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string query, SearchOptions options,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null, CancellationToken cancellationToken = default)
    {
        var snapshot = EnsureLoaded();
        var filter = AccessFilter.For(snapshot.AclSets, options.Caller ?? Caller.Anonymous);
        var mode = options.Mode;
        if (mode == SearchMode.Auto) mode = embedder is not null && snapshot.Vectors is not null ? SearchMode.Hybrid : SearchMode.Lexical;
        if (mode is SearchMode.Vector or SearchMode.Hybrid && (embedder is null || snapshot.Vectors is null))
            throw new Lever.Core.LeverUserException($"index '{Name}': {mode.ToString().ToLowerInvariant()} search needs vectors: {(snapshot.Vectors is null ? "it was built without vectors" : "no embedding model is available for it")}",
                "run `lever index add <folder>` without --no-vectors (the local model embeds it), or set indexes.<name>.embedding: <provider> in lever.yaml; or search with --mode bm25");
        int depth = Math.Max(options.K, options.Reranker is null ? options.K : options.RerankDepth) * (options.MaxChunksPerDocument > 0 ? 8 : 1);
        int pool = mode == SearchMode.Hybrid ? Math.Max(depth * 4, 50) : depth;
        var lists = new List<IReadOnlyList<ScoredChunk>>();
        if (mode is SearchMode.Lexical or SearchMode.Hybrid) lists.Add(snapshot.Bm25.Search(query, pool, filter));
        if (mode is SearchMode.Vector or SearchMode.Hybrid)
        {
            var vectorQuery = options.RewriteVectorQuery ? QueryExpander.Expand(query).Query.Trim() : query;
            var embedding = await embedder!.GenerateAsync(vectorQuery, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embedding.Vector.Length != snapshot.Vectors!.Dimensions)
                throw DimensionMismatch(snapshot.Vectors.Dimensions, _store.Get(EmbeddingModelKey), embedding.Vector.Length, embedder!.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
            var allowed = filter.Allowed;
            var vectorOrdinals = snapshot.VectorChunk!;
            var found = snapshot.Vectors!.Search(embedding.Vector.Span, pool,
                filter.AllowsAll ? null : v => allowed[snapshot.Acl[vectorOrdinals[v]]]);
            lists.Add(found.Select(f => new ScoredChunk(vectorOrdinals[f.Ordinal], f.Score)).ToList());
        }
        // Lists are added BM25 first, then vectors: the second (when both) carries the vector weight.
        var ranked = lists.Count == 1 ? lists[0].Take(depth).ToList()
            : options.Fusion == FusionMethod.RelativeScore ? ScoreFusion.Fuse(lists[0], lists[1], depth, options.VectorShare)
            : ReciprocalRankFusion.Fuse(lists.Select((l, i) => (l, i == 0 ? 1f : options.VectorWeight)), depth, options.FusionK);
        IReadOnlyList<SearchHit> hits = ToHits(snapshot, ranked);
        if (options.Reranker is not null)
        {
            var reranked = await options.Reranker.RerankAsync(query, hits, cancellationToken).ConfigureAwait(false);
            var allowedRows = hits.ToHashSet();
            // A re-ranker may only re-order or drop: anything else would bypass the permission filter.
            hits = reranked.Where(allowedRows.Contains).Select((h, i) => h with { Rank = i + 1 }).ToList();
        }
        return Collapse(hits, options);
    }

    /// <summary>Keeps at most MaxChunksPerDocument hits per document, then the first K, renumbered.</summary>
    private static List<SearchHit> Collapse(IReadOnlyList<SearchHit> hits, SearchOptions options)
    {
        IEnumerable<SearchHit> kept = hits;
        if (options.MaxChunksPerDocument > 0)
        {
            var perDoc = new Dictionary<string, int>(StringComparer.Ordinal);
            kept = hits.Where(h => (perDoc[h.DocId] = perDoc.GetValueOrDefault(h.DocId) + 1) <= options.MaxChunksPerDocument);
        }
        return kept.Take(options.K).Select((h, i) => h with { Rank = i + 1 }).ToList();
    }

    private List<SearchHit> ToHits(Snapshot snapshot, List<ScoredChunk> ranked)
    {
        var rows = _store.Fetch(ranked.Select(r => snapshot.Rows[r.Ordinal]).ToList());
        var byRow = rows.ToDictionary(r => r.Row);
        var hits = new List<SearchHit>(ranked.Count);
        foreach (var r in ranked)
        {
            if (!byRow.TryGetValue(snapshot.Rows[r.Ordinal], out var row)) continue;
            hits.Add(new SearchHit(hits.Count + 1, row.DocId, row.Title, row.Heading, row.Start, row.End, row.Version, r.Score, row.Text, row.Source));
        }
        return hits;
    }

    /// <summary>Inserts or replaces records (one chunk each) in one transaction; a replaced record's version goes up.</summary>
    internal void UpsertRecords(IReadOnlyList<VectorData.RetrievalRecord> records)
    {
        long root = _store.StartRoot(RecordsRoot);
        var known = _store.Documents(root);
        using (var tx = _store.Begin())
        {
            foreach (var r in records)
            {
                var principals = r.Principals.Count == 0 ? [DocumentReader.Everyone] : r.Principals.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                int version = known.TryGetValue(r.Key, out var old) ? old.Version + 1 : 1;
                var doc = new StoredDocument(r.Key, r.Title, RecordsRoot, version, "", [], principals, r.Text);
                var vector = r.Vector.Length > 0 ? r.Vector.ToArray() : null;
                _store.WriteDocument(tx, root, doc, [new StoredChunk(r.Heading, 0, r.Text.Length, vector)]);
            }
            _store.BumpGeneration(tx);
            tx.Commit();
        }
        _store.FinishRoot(root);
    }

    /// <summary>Deletes records by key; returns how many existed.</summary>
    internal int DeleteRecords(IEnumerable<string> keys)
    {
        long root = _store.StartRoot(RecordsRoot);
        var known = _store.Documents(root);
        int n = 0;
        using (var tx = _store.Begin())
        {
            foreach (var k in keys)
                if (known.TryGetValue(k, out var row)) { _store.DeleteDocument(tx, row.Row); n++; }
            if (n > 0) _store.BumpGeneration(tx);
            tx.Commit();
        }
        _store.FinishRoot(root);
        return n;
    }

    /// <summary>One record by key (null when absent or when the caller may not read it).</summary>
    internal VectorData.RetrievalRecord? GetRecord(string key, bool includeVector, Caller caller)
    {
        var row = _store.GetRecord(RecordsRoot, key);
        if (row is null) return null;
        var principals = JsonSerializer.Deserialize<List<string>>(row.Value.Principals)!;
        if (!principals.Any(caller.Principals.Contains)) return null;
        return new VectorData.RetrievalRecord
        {
            Key = key, Text = row.Value.Text, Title = row.Value.Title, Heading = row.Value.Heading, Principals = principals,
            Vector = includeVector && row.Value.Vector is { } v ? v : ReadOnlyMemory<float>.Empty,
        };
    }

    /// <summary>Top records by vector, keywords or both (RRF), as <paramref name="caller"/>; scores are cosine, BM25 or RRF.</summary>
    internal List<(string Key, double Score)> SearchRecords(ReadOnlyMemory<float>? vector, string? keywords, int top, Caller caller)
    {
        var snapshot = EnsureLoaded();
        var filter = AccessFilter.For(snapshot.AclSets, caller);
        var lists = new List<IReadOnlyList<ScoredChunk>>();
        int pool = vector is not null && keywords is not null ? Math.Max(top * 4, 50) : top;
        if (keywords is not null) lists.Add(snapshot.Bm25.Search(keywords, pool, filter));
        if (vector is { } v)
        {
            if (snapshot.Vectors is null) return [];
            if (v.Length != snapshot.Vectors.Dimensions)
                throw new ArgumentException($"the query vector has {v.Length} dimensions; this collection's vectors have {snapshot.Vectors.Dimensions}");
            var allowed = filter.Allowed;
            var map = snapshot.VectorChunk!;
            lists.Add(snapshot.Vectors.Search(v.Span, pool, filter.AllowsAll ? null : i => allowed[snapshot.Acl[map[i]]])
                .Select(f => new ScoredChunk(map[f.Ordinal], f.Score)).ToList());
        }
        var ranked = lists.Count == 1 ? lists[0].Take(top).ToList() : ReciprocalRankFusion.Fuse(lists, top);
        return ToHits(snapshot, ranked).Select(h => (h.DocId, h.Score)).ToList();
    }

    /// <summary>Every chunk in ordinal order (document id, title, heading, text): for benchmarks that index the same chunks elsewhere.</summary>
    internal IEnumerable<(string DocId, string Title, string Heading, string Text)> ExportChunks() =>
        _store.AllChunks().Select(c => (c.DocId, c.Title, c.Heading, c.Text));

    /// <summary>Counts, sizes and state.</summary>
    public IndexStats Stats()
    {
        var snapshot = EnsureLoaded();
        var (docs, chunks, vectors) = _store.Counts();
        var roots = _store.Roots();
        long Size(string name) => File.Exists(Path.Combine(Directory, name)) ? new FileInfo(Path.Combine(Directory, name)).Length : 0;
        return new IndexStats(docs, chunks, vectors, snapshot.Bm25.TermCount, roots.Select(r => r.Path).ToList(),
            roots.Where(r => r.State != "ready").Select(r => r.Path).ToList(),
            Size(StoreFileName) + Size(StoreFileName + "-wal"), Size(Bm25FileName) + Size(HnswFileName), _store.Generation)
        {
            Windows = _store.Windows(), EmbeddingModel = EmbeddingModel, EmbeddingDimensions = _store.VectorDimensions(),
        };
    }

    /// <summary>Documents whose chunk rows do not match their recorded count (0 unless the store is damaged).</summary>
    public int CheckConsistency() => _store.InconsistentDocuments();

    /// <summary>Loads the derived indexes for the store's current generation, rebuilding what is stale.</summary>
    private Snapshot EnsureLoaded()
    {
        long generation = _store.Generation;
        if (_snapshot is { } s && s.Generation == generation) return s;
        // Row ids and ACL sets come from the store (cheap, no text); postings from the file when it is current.
        var rows = new List<long>();
        var acl = new List<int>();
        var aclIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var aclSets = new List<IReadOnlyList<string>>();
        var bm25 = Bm25Index.TryLoad(Path.Combine(Directory, Bm25FileName), generation, _bm25);
        var docs = new List<Bm25Document>();
        var vectors = new List<float[]>();
        var vectorChunk = new List<int>();
        bool anyVectors = _store.Counts().Vectors > 0;
        foreach (var row in _store.AllChunks(withText: bm25 is null, withVectors: anyVectors))
        {
            if (!aclIds.TryGetValue(row.Principals, out var id))
            {
                id = aclSets.Count;
                aclIds.Add(row.Principals, id);
                aclSets.Add(JsonSerializer.Deserialize<List<string>>(row.Principals)!);
            }
            int ordinal = rows.Count;
            rows.Add(row.Row);
            acl.Add(id);
            if (bm25 is null) docs.Add(new Bm25Document(row.Text, row.Heading, row.Title, id));
            if (row.Vector is { } v)
            {
                vectors.Add(v);
                vectorChunk.Add(ordinal);
            }
        }
        if (bm25 is null || bm25.Count != rows.Count)
        {
            bm25 = Bm25Index.Build(docs, _bm25);
            bm25.Save(Path.Combine(Directory, Bm25FileName), generation);
        }
        IVectorIndex? vectorIndex = null;
        if (vectors.Count > 0)
        {
            int dims = vectors[0].Length;
            if (vectors.Any(v => v.Length != dims))
                throw new Lever.Core.LeverUserException($"{Directory}: the index holds vectors of different sizes (the embedding model changed?)", "delete the index folder and run `lever index add` again");
            if (vectors.Count <= ExactSearchThreshold) vectorIndex = new ExactVectorIndex(vectors, dims);
            else
            {
                var path = Path.Combine(Directory, HnswFileName);
                var hnsw = HnswIndex.TryLoad(path, generation);
                if (hnsw is null || hnsw.Count != vectors.Count || hnsw.Options != Hnsw)
                {
                    hnsw = HnswIndex.Build(vectors, dims, Hnsw);
                    hnsw.Save(path, generation);
                }
                vectorIndex = hnsw;
            }
        }
        _snapshot = new Snapshot(generation, bm25, [.. rows], [.. acl], aclSets, vectorIndex, vectorIndex is null ? null : [.. vectorChunk]);
        return _snapshot;
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();

    private sealed record Snapshot(long Generation, Bm25Index Bm25, long[] Rows, int[] Acl, List<IReadOnlyList<string>> AclSets, IVectorIndex? Vectors, int[]? VectorChunk);
}
