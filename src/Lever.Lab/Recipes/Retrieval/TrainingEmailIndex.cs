using System.Text.Json.Serialization;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Retrieval;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// A Lever retrieval index (Lever.Retrieval, BM25) over the labelled training emails, built in a recipe's training
/// stage: the emails are written as one JSONL corpus (id, subject as title, text) and ingested; at answer time the
/// query is the email's first <see cref="QueryChars"/> characters and each hit maps back to its training email and label.
/// Only the training split is indexed (never validation or test).
/// </summary>
internal sealed class TrainingEmailIndex : IDisposable
{
    /// <summary>The corpus file, relative to the recipe folder (a stage artefact: its hash identifies the index).</summary>
    public const string CorpusFile = "index-source/emails.jsonl";

    /// <summary>Characters of the query email used as the search query (subject, sender and the start of the body).</summary>
    public const int QueryChars = 1000;

    private readonly RetrievalIndex _index;
    private readonly Dictionary<string, LabExample> _byId;

    private TrainingEmailIndex(RetrievalIndex index, IReadOnlyList<LabExample> train)
    {
        _index = index;
        _byId = train.ToDictionary(e => e.Id, StringComparer.Ordinal);
    }

    /// <summary>Writes the corpus and ingests it into <c>index/</c> under <paramref name="recipeDir"/> (a fresh index each time).</summary>
    public static async Task BuildAsync(string recipeDir, IReadOnlyList<LabExample> train, Pipeline.StageRun? stage, CancellationToken ct)
    {
        var corpus = Path.Combine(recipeDir, CorpusFile);
        Directory.CreateDirectory(Path.GetDirectoryName(corpus)!);
        JsonLines.Write(corpus, train.Select(e => new Document(e.Id, Title(e.Text), e.Text)));
        var indexDir = Path.Combine(recipeDir, "index");
        if (Directory.Exists(indexDir)) Directory.Delete(indexDir, recursive: true);
        using var index = RetrievalIndex.Open(indexDir);
        stage?.Start(1);
        await index.AddAsync(corpus, new IndexOptions(), cancellationToken: ct).ConfigureAwait(false);
        stage?.Progress(1);
        if (stage is not null) stage.Detail = $"BM25 index of {train.Count} training emails ({index.Stats().Chunks} chunks)";
    }

    /// <summary>Opens the index the training stage built (rebuilding it when only the derived files are missing).</summary>
    public static async Task<TrainingEmailIndex> OpenAsync(string recipeDir, IReadOnlyList<LabExample> train, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(recipeDir, "index", RetrievalIndex.StoreFileName))) await BuildAsync(recipeDir, train, null, ct).ConfigureAwait(false);
        return new TrainingEmailIndex(RetrievalIndex.Open(Path.Combine(recipeDir, "index")), train);
    }

    /// <summary>The <paramref name="k"/> most similar training emails (one hit per email), best first, with their BM25 scores.</summary>
    public IReadOnlyList<(LabExample Example, double Score)> Neighbours(LabExample query, int k)
    {
        var text = query.Text.Length > QueryChars ? query.Text[..QueryChars] : query.Text;
        var hits = _index.Search(text, new SearchOptions(K: k, MaxChunksPerDocument: 1));
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

    private static string Title(string text)
    {
        var line = text.Split('\n', 2)[0];
        return line.StartsWith("Subject:", StringComparison.Ordinal) ? line[8..].Trim() : "";
    }

    private sealed record Document([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("text")] string Text);
}
