using System.Text.Json.Serialization;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// A Lever retrieval index (Lever.Retrieval) over the labelled training emails, built in a recipe's training stage:
/// the emails are written as one JSONL corpus and ingested; at answer time the query is the email's first
/// <see cref="QueryChars"/> characters and each hit maps back to its training email and label. Only the training split
/// is indexed (never validation or test). Two kinds: <b>BM25</b> over whole emails (id, subject as title, text), and
/// <b>vector</b>, where each email's first <see cref="QueryChars"/> characters (the same span a query uses, one chunk,
/// about one window of the embedding model) are embedded and the neighbours are the nearest by cosine.
/// </summary>
internal sealed class TrainingEmailIndex : IDisposable
{
    /// <summary>The corpus file of the BM25 index, relative to the recipe folder (a stage artefact: its hash identifies the index).</summary>
    public const string CorpusFile = "index-source/emails.jsonl";

    /// <summary>The corpus file of the vector index: each email cut to <see cref="QueryChars"/>.</summary>
    public const string HeadCorpusFile = "index-source/email-heads.jsonl";

    /// <summary>Characters of the query email used as the search query (subject, sender and the start of the body).</summary>
    public const int QueryChars = 1000;

    private readonly RetrievalIndex _index;
    private readonly Dictionary<string, LabExample> _byId;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;

    private TrainingEmailIndex(RetrievalIndex index, IReadOnlyList<LabExample> train, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        _index = index;
        _embedder = embedder;
        _byId = train.ToDictionary(e => e.Id, StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes the corpus and ingests it into <c>index/</c> under <paramref name="recipeDir"/> (a fresh index each time):
    /// BM25 without <paramref name="embedding"/>, vectors with it.
    /// </summary>
    public static async Task BuildAsync(string recipeDir, IReadOnlyList<LabExample> train, Pipeline.StageRun? stage, CancellationToken ct,
        LabEmbedding? embedding = null, string? labDir = null)
    {
        var corpus = Path.Combine(recipeDir, embedding is null ? CorpusFile : HeadCorpusFile);
        Directory.CreateDirectory(Path.GetDirectoryName(corpus)!);
        JsonLines.Write(corpus, embedding is null
            ? train.Select(e => new Document(e.Id, Title(e.Text), e.Text))
            : train.Select(e => new Document(e.Id, "", Head(e.Text))));
        var indexDir = Path.Combine(recipeDir, "index");
        if (Directory.Exists(indexDir)) Directory.Delete(indexDir, recursive: true);
        using var index = RetrievalIndex.Open(indexDir);
        if (embedding is null)
        {
            stage?.Start(1);
            await index.AddAsync(corpus, new IndexOptions(), cancellationToken: ct).ConfigureAwait(false);
            stage?.Progress(1);
            if (stage is not null) stage.Detail = $"BM25 index of {train.Count} training examples ({index.Stats().Chunks} chunks)";
            return;
        }
        var embedder = embedding.Cached(labDir ?? throw new ArgumentNullException(nameof(labDir)));
        var before = embedding.Embedded;
        stage?.Start(train.Count);
        // One chunk per email head (QueryChars characters hold far fewer than QueryChars words).
        var progress = new Progress<IngestProgress>(p =>
        {
            if (p.Current.StartsWith("embedding", StringComparison.Ordinal)) stage?.Progress(p.FilesDone);
        });
        await index.AddAsync(corpus, new IndexOptions { ChunkTokens = QueryChars, ChunkOverlap = 0 }, embedder, progress, ct).ConfigureAwait(false);
        stage?.Progress(train.Count);
        if (stage is not null)
            stage.Detail = $"vector index of {train.Count} training examples ({embedding.Id}; {index.Stats().Vectors} vectors, {embedding.Embedded - before} embedded now, the rest cached)";
    }

    /// <summary>Opens the index the training stage built (rebuilding it when only the derived files are missing).</summary>
    public static async Task<TrainingEmailIndex> OpenAsync(string recipeDir, IReadOnlyList<LabExample> train, CancellationToken ct,
        LabEmbedding? embedding = null, string? labDir = null)
    {
        if (!File.Exists(Path.Combine(recipeDir, "index", RetrievalIndex.StoreFileName))) await BuildAsync(recipeDir, train, null, ct, embedding, labDir).ConfigureAwait(false);
        return new TrainingEmailIndex(RetrievalIndex.Open(Path.Combine(recipeDir, "index")), train, embedding?.Cached(labDir!));
    }

    /// <summary>The <paramref name="k"/> most similar training emails by BM25 (one hit per email), best first, with their scores.</summary>
    public IReadOnlyList<(LabExample Example, double Score)> Neighbours(LabExample query, int k)
    {
        if (_embedder is not null) throw new InvalidOperationException("a vector index is searched with NeighboursAsync");
        return Examples(_index.Search(Head(query.Text), new SearchOptions(K: k, MaxChunksPerDocument: 1)));
    }

    /// <summary>The <paramref name="k"/> most similar training emails (one hit per email), best first, with their scores (BM25, or cosine for a vector index).</summary>
    public async ValueTask<IReadOnlyList<(LabExample Example, double Score)>> NeighboursAsync(LabExample query, int k, CancellationToken ct)
    {
        if (_embedder is null) return Neighbours(query, k);
        // The query is an email, not a question: embedded as it is, like the indexed heads.
        var options = new SearchOptions(K: k, Mode: SearchMode.Vector, MaxChunksPerDocument: 1) { RewriteVectorQuery = false };
        return Examples(await _index.SearchAsync(Head(query.Text), options, _embedder, ct).ConfigureAwait(false));
    }

    private List<(LabExample Example, double Score)> Examples(IReadOnlyList<SearchHit> hits)
    {
        var result = new List<(LabExample, double)>(hits.Count);
        foreach (var hit in hits)
        {
            var id = hit.DocId[(hit.DocId.IndexOf('#', StringComparison.Ordinal) + 1)..];
            // The query itself is never in the index (test and validation are not indexed), so no self-match to drop.
            if (_byId.TryGetValue(id, out var example)) result.Add((example, hit.Score));
        }
        return result;
    }

    public void Dispose() => _index.Dispose();

    private static string Head(string text) => text.Length > QueryChars ? text[..QueryChars] : text;

    private static string Title(string text)
    {
        var line = text.Split('\n', 2)[0];
        return line.StartsWith("Subject:", StringComparison.Ordinal) ? line[8..].Trim() : "";
    }

    private sealed record Document([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("text")] string Text);
}
