using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Retrieval.Evaluation;

/// <summary>Scores a search function on a JSONL eval set of <c>{question, relevant: [doc ids]}</c>.</summary>
public static class RetrievalEvaluator
{
    /// <summary>Reads an eval set; a line without a question or relevant list is a user error naming file and line.</summary>
    public static List<RetrievalQuestion> Load(string path)
    {
        var list = new List<RetrievalQuestion>();
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            var o = line.Value;
            if (!o.TryGetProperty("question", out var q) || q.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(q.GetString()))
                throw new LeverUserException($"{line.Where}: field 'question' is missing or not a string", "each line is {\"question\": \"...\", \"relevant\": [\"doc id\", ...]}");
            if (!o.TryGetProperty("relevant", out var r) || r.ValueKind != JsonValueKind.Array || r.GetArrayLength() == 0 || r.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw new LeverUserException($"{line.Where}: field 'relevant' must be a non-empty array of document ids", "use the ids `lever search --json` prints in \"doc\"");
            list.Add(new RetrievalQuestion(q.GetString()!, r.EnumerateArray().Select(e => e.GetString()!).ToList(), line.Where));
        }
        if (list.Count == 0) throw new LeverUserException($"{path}: no questions", "add lines of {\"question\": \"...\", \"relevant\": [\"doc id\"]}");
        return list;
    }

    /// <summary>Runs every question through <paramref name="search"/> (which returns document ids, best first) and averages the metrics.</summary>
    public static async Task<RetrievalEvalReport> EvaluateAsync(IReadOnlyList<RetrievalQuestion> questions, Func<string, CancellationToken, Task<IReadOnlyList<string>>> search, int k = 10, CancellationToken cancellationToken = default)
    {
        var rows = new List<RetrievalEvalRow>();
        foreach (var q in questions)
        {
            var ranked = await search(q.Question, cancellationToken).ConfigureAwait(false);
            var relevant = q.Relevant.ToHashSet(StringComparer.Ordinal);
            rows.Add(new RetrievalEvalRow(q.Question, q.Relevant, ranked, RetrievalMetrics.RecallAt(ranked, relevant, k),
                RetrievalMetrics.ReciprocalRank(ranked, relevant), RetrievalMetrics.NdcgAt(ranked, relevant, 10)));
        }
        return new RetrievalEvalReport(k, rows.Average(r => r.RecallAtK), rows.Average(r => r.ReciprocalRank), rows.Average(r => r.NdcgAt10), rows);
    }

    /// <summary>
    /// Evaluates an index with the retrievers <paramref name="mode"/> names (queries embedded by <paramref name="embedder"/>
    /// for vector and hybrid): each question searched as <paramref name="caller"/>, chunk hits collapsed to documents.
    /// </summary>
    public static Task<RetrievalEvalReport> EvaluateAsync(RetrievalIndex index, IReadOnlyList<RetrievalQuestion> questions, int k, Caller? caller, SearchMode mode,
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? embedder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        return EvaluateAsync(questions, async (q, ct) => RetrievalMetrics.Documents(
            await index.SearchAsync(q, new SearchOptions(Math.Max(k, 10), caller, mode, MaxChunksPerDocument: 1), embedder, ct).ConfigureAwait(false)), k, cancellationToken);
    }

    /// <summary>Evaluates an index: each question is searched as <paramref name="caller"/>, chunk hits collapsed to documents.</summary>
    public static Task<RetrievalEvalReport> EvaluateAsync(RetrievalIndex index, IReadOnlyList<RetrievalQuestion> questions, int k = 10, Caller? caller = null, CancellationToken cancellationToken = default) =>
        EvaluateAsync(questions, (q, _) => Task.FromResult<IReadOnlyList<string>>(
            RetrievalMetrics.Documents(index.Search(q, new SearchOptions(Math.Max(k, 10), caller, MaxChunksPerDocument: 1)))), k, cancellationToken);
}
