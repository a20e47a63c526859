using Lever.Evals.Scoring;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Qa;
using Lever.Retrieval;

namespace Lever.Lab.Tests;

/// <summary>The question-answering lab end to end on a synthetic manual: answers, metrics, freshness, reuse, bad input.</summary>
public sealed class QaLabTests : IDisposable
{
    private readonly List<string> _roots = [];

    public void Dispose()
    {
        foreach (var r in _roots) Directory.Delete(r, recursive: true);
    }

    private string Workspace(string? qa = null, string extra = "")
    {
        var root = QaSyntheticDocs.CreateWorkspace(qa, extra);
        _roots.Add(root);
        return root;
    }

    private static async Task<(QaLabReport Report, RecordingObserver Observer)> Run(string root)
    {
        var ws = Core.Workspace.Open(root);
        var settings = QaLabSettings.Load(ws, LabConfiguration.Load(ws));
        var observer = new RecordingObserver();
        return (await new QaLabRunner(ws, settings, QaProviders.None, observer, Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None), observer);
    }

    [Fact]
    public async Task Extractive_reader_finds_every_planted_answer_and_cites_its_page()
    {
        var root = Workspace();
        using var index = RetrievalIndex.Open(Path.Combine(root, "idx"));
        await index.AddAsync(Path.Combine(root, "docs"), new IndexOptions { ChunkTokens = 60, ChunkOverlap = 10 });
        foreach (var (id, input, expected, page) in QaSyntheticDocs.Questions)
        {
            var hits = index.Search(input, new SearchOptions(3, MaxChunksPerDocument: 2));
            var answer = ExtractiveReader.Read(input, hits);
            Assert.NotNull(answer);
            Assert.True(AnswerMatcher.Contains(answer.Text, expected), $"{id}: '{answer.Text}' lacks '{expected}'");
            Assert.Equal(page, answer.Passage.DocId);
        }
        // Without passages there is nothing to read: no answer rather than a guess.
        Assert.Null(ExtractiveReader.Read("What TCP port does the zephyr daemon listen on by default?", []));
    }

    [Theory]
    [InlineData("The default is typically 128 megabytes (128MB), but might be less.", "128MB", true)]
    [InlineData("The default value is four megabytes.", "4MB", true)]
    [InlineData("The maximum is 1 GB.", "1 GB", true)]
    [InlineData("The maximum is 1GB.", "1 GB", true)]
    [InlineData("Up to 1000 connections.", "100", false)]
    [InlineData("typically 100 connections", "100", true)]
    [InlineData("\\dt[S+] [ pattern ] lists tables.", "\\dt", true)]
    [InlineData("Read Committed is the default isolation level.", "read committed", true)]
    [InlineData("The default is 0.2.", "0.2", true)]
    [InlineData("", "5432", false)]
    public void Answer_matching_normalizes_units_numbers_case_and_respects_word_boundaries(string answer, string expected, bool match) =>
        Assert.Equal(match, AnswerMatcher.Contains(answer, expected));

    [Fact]
    public void Retrieval_metrics_equal_hand_computed_values()
    {
        // Gold at rank 1, rank 2, rank 7, and missing.
        var scores = QaRetrievalScores.Of(
        [
            (["a", "b", "c"], "a"),
            (["b", "a", "c"], "a"),
            (["b", "c", "d", "e", "f", "g", "a", "h"], "a"),
            (["b", "c"], "a"),
        ]);
        Assert.Equal(1 / 4.0, scores.RecallAt1, 12);
        Assert.Equal(2 / 4.0, scores.RecallAt5, 12);
        Assert.Equal(3 / 4.0, scores.RecallAt10, 12);
        Assert.Equal((1 + 1 / 2.0 + 1 / 7.0 + 0) / 4, scores.Mrr, 12);
        // nDCG@10 with one relevant page = 1 / log2(rank + 1): 1, 1/log2(3), 1/log2(8) = 1/3, 0.
        Assert.Equal((1 + 1 / Math.Log2(3) + 1 / 3.0 + 0) / 4, scores.NdcgAt10, 12);
    }

    [Fact]
    public async Task Lab_measures_closed_book_and_bm25_recipes_writes_reports_and_reuses_everything_on_a_rerun()
    {
        var root = Workspace();
        var (report, observer) = await Run(root);

        var names = report.Results.Select(r => r.Recipe.Name).ToList();
        Assert.Equal(["local-closed-book", "bm25-extractive"], names);
        // Without a provider the hybrid and hosted recipes are skipped, each with its reason.
        Assert.Equal(["hybrid-extractive", "local-docs-lm", "provider-closed-book", "provider-rag-bm25", "provider-rag-hybrid"], report.Skipped.Select(s => s.Recipe));
        Assert.Contains("embedding", report.Skipped[0].Reason);

        var closed = report.Results[0];
        var bm25 = report.Results[1];
        Assert.Equal(0, closed.Correct);
        Assert.Null(closed.Retrieval);
        Assert.Equal(5, bm25.Items);
        Assert.Equal(5, bm25.Correct);
        Assert.Equal(1.0, bm25.CitationAccuracy);
        Assert.Equal(1.0, bm25.Retrieval!.RecallAt5);
        Assert.True(bm25.TrainSeconds > 0, "the index build is the retrieval recipe's one-time cost");
        Assert.True(bm25.Cost.Per1kUsd > 0);

        var summary = JsonNode.Parse(File.ReadAllText(report.SummaryPath))!.AsObject();
        Assert.Equal(["recipes", "recommendation", "quality_metric", "tolerance_points"], summary.Select(p => p.Key));
        var row = summary["recipes"]!.AsArray()[1]!.AsObject();
        Assert.Equal(["name", "lever", "accuracy", "macro_f1", "latency_ms_p50", "latency_ms_p95", "cost_per_1k_usd", "train_seconds",
            "recall_at_1", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10", "quality"], row.Select(p => p.Key));
        Assert.Equal(("accuracy", row["accuracy"]!.GetValue<double>()), (summary["quality_metric"]!.GetValue<string>(), row["quality"]!.GetValue<double>()));
        Assert.Equal("rag", row["lever"]!.GetValue<string>());
        Assert.Equal(1.0, row["accuracy"]!.GetValue<double>());
        Assert.Equal(bm25.Retrieval.Mrr, row["mrr"]!.GetValue<double>(), 6);
        Assert.Null(summary["recipes"]!.AsArray()[0]!["recall_at_1"]);
        // No workload: section: the lab's own rule picks the most accurate recipe and says the advisor did not run.
        Assert.Equal("rag", summary["recommendation"]!["primary"]!.GetValue<string>());
        Assert.Equal("bm25-extractive", report.RecommendedRecipe);
        Assert.Equal((LeverKind.Rag, "bm25-extractive", null), (report.Recommendation.Primary, report.Recommendation.Recipe, report.Recommendation.Advice));
        Assert.Equal(summary["recommendation"]!.ToJsonString(), report.Recommendation.ToJson().ToJsonString());

        var html = File.ReadAllText(report.ReportPath);
        Assert.Contains("Freshness", html);
        Assert.Contains("recall@10", html);
        Assert.DoesNotContain("<script", html);

        // Nothing changed: every stage is reused and says so.
        var (again, second) = await Run(root);
        Assert.Empty(again.Ran);
        Assert.Contains("index:bm25", second.Reused);
        Assert.Contains("eval:bm25-extractive", second.Reused);
        Assert.Contains("freshness", second.Reused);
        Assert.Equal(bm25.Correct, again.Results[1].Correct);

        // A changed document re-runs the index and the answers that depend on it, not the closed-book answers.
        File.AppendAllText(Path.Combine(root, "docs", "zephyr-intro.html"), "<p>More words.</p>");
        var (third, _) = await Run(root);
        Assert.Contains("index:bm25", third.Ran);
        Assert.Contains("eval:bm25-extractive", third.Ran);
        Assert.Contains("eval:local-closed-book", third.Reused);
        Assert.NotEmpty(observer.Finished);
    }

    [Fact]
    public async Task Freshness_answers_change_after_sync_and_not_before()
    {
        var root = Workspace();
        var (report, _) = await Run(root);
        Assert.Equal(2, report.Freshness.Count);
        foreach (var row in report.Freshness)
        {
            Assert.Equal("bm25-extractive", row.Recipe);
            Assert.True(row.BeforeOk, $"{row.Question} before: {row.Before}");
            Assert.True(row.UnsyncedOld, $"{row.Question} unsynced should still give {row.ExpectedBefore}: {row.Unsynced}");
            Assert.False(AnswerMatcher.Contains(row.Unsynced, row.ExpectedAfter));
            Assert.True(row.AfterOk, $"{row.Question} after sync: {row.After}");
            Assert.False(AnswerMatcher.Contains(row.After, row.ExpectedBefore));
        }
        Assert.Contains("8422", report.Freshness[0].After);
        // The originals are untouched: the edits went to the lab's copy.
        Assert.Contains("7311", File.ReadAllText(Path.Combine(root, "docs", "zephyr-network.html")));
    }

    /// <summary>Cancels the run once a stage has reported <paramref name="after"/> steps.</summary>
    private sealed class CancelAt(string stage, long after, CancellationTokenSource cts) : Pipeline.ILabObserver
    {
        public void StageStarted(string s, string description, long total) { }

        public void StageProgress(string s, long done)
        {
            if (s == stage && done >= after) cts.Cancel();
        }

        public void StageReused(string s, string description) { }

        public void StageFinished(string s, TimeSpan elapsed, string? detail) { }

        public void Info(string message) { }
    }

    [Fact]
    public async Task An_interrupted_evaluation_resumes_at_the_first_unanswered_question()
    {
        var root = Workspace();
        var ws = Core.Workspace.Open(root);
        var settings = QaLabSettings.Load(ws, LabConfiguration.Load(ws));
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new QaLabRunner(ws, settings, QaProviders.None, new CancelAt("eval:bm25-extractive", 2, cts), Lever.Reports.LabPages.Instance).RunAsync(cts.Token));
        var partial = Path.Combine(root, ".lever", "lab", "recipes", "bm25-extractive", "eval", "results.jsonl");
        Assert.Equal(2, File.ReadAllLines(partial).Length);

        var (report, observer) = await Run(root);
        Assert.Contains("bm25-extractive: resuming at question 3 of 5", observer.Messages);
        Assert.Contains("index:bm25", report.Reused);
        Assert.Equal(5, report.Results.Single(r => r.Recipe.Name == "bm25-extractive").Correct);
        Assert.Equal(5, File.ReadAllLines(partial).Length);
    }

    [Trait("tier", "slow")]
    [Fact]
    public async Task A_model_trained_on_the_documents_lowers_its_held_out_loss_but_answers_closed_book()
    {
        var root = Workspace("    index: manual\n    k: 3\n    freshness: null\n    train_model: true",
            "  llm:\n    vocab: 320\n    pretrain_steps: 12\n    batch_size: 4\n    seq_len: 64");
        var (report, _) = await Run(root);
        var lm = Assert.Single(report.Results, r => r.Recipe.Name == "local-docs-lm");
        Assert.Equal(LeverKind.TrainFromScratch, lm.Recipe.Lever);
        // The stage hash reads the recipe as the record printed itself with a string lever, so earlier caches stay valid.
        Assert.Equal("QaRecipe { Name = local-docs-lm, Lever = train_from_scratch, Description = a tiny model trained on the documents' text answers closed book by greedy generation, Retrieval = None, Hosted = False, DocsModel = True }",
            lm.Recipe.Fingerprint);
        Assert.Equal(5, lm.Items);
        Assert.Null(lm.Retrieval);
        Assert.True(lm.TrainSeconds > 0);
        var loss = Assert.IsType<DocsModelLoss>(report.DocsModel);
        Assert.Equal(12, loss.Steps);
        Assert.True(loss.Loss < loss.BaseLoss, $"held-out loss {loss.BaseLoss} → {loss.Loss}");
        Assert.Contains("Training on the documents", File.ReadAllText(report.ReportPath));
    }

    [Fact]
    public void Bad_qa_settings_are_user_errors_naming_the_field()
    {
        var k = Assert.Throws<LeverUserException>(() => Settings(Workspace("    index: manual\n    k: 0")));
        Assert.Contains("lab.qa.k", k.Message);
        var index = Assert.Throws<LeverUserException>(() => Settings(Workspace("    index: nope")));
        Assert.Contains("lab.qa.index: no index 'nope'", index.Message);
        Assert.Contains("manual", index.Hint);
        // Strict binding: an unknown field is refused with its line.
        var unknown = Assert.Throws<LeverUserException>(() => Settings(Workspace("    index: manual\n    top_k: 3")));
        Assert.Contains("top_k", unknown.Message);
        var quiz = Workspace();
        File.WriteAllText(Path.Combine(quiz, "lever.yaml"), File.ReadAllText(Path.Combine(quiz, "lever.yaml")).Replace("task: qa", "task: quiz", StringComparison.Ordinal));
        var task = Assert.Throws<LeverUserException>(() => Settings(quiz));
        Assert.Contains("lab.task", task.Message);
    }

    [Fact]
    public async Task Bad_question_and_freshness_lines_name_file_line_and_field()
    {
        var root = Workspace();
        File.AppendAllText(Path.Combine(root, "questions.jsonl"), "{\"id\": \"z-9\", \"input\": \"Why?\", \"metadata\": {\"page\": \"x.html\"}}\n");
        var missing = await Assert.ThrowsAsync<LeverUserException>(() => Run(root));
        Assert.Contains("questions.jsonl:6: field 'expected'", missing.Message);

        var other = Workspace();
        File.WriteAllText(Path.Combine(other, "freshness.jsonl"),
            "{\"question\": \"z-1\", \"page\": \"zephyr-network.html\", \"find\": \"port 9999\", \"replace\": \"x\", \"expected_after\": \"x\"}\n");
        var find = await Assert.ThrowsAsync<LeverUserException>(() => Run(other));
        Assert.Contains("freshness.jsonl:1: field 'find'", find.Message);
    }

    [Fact]
    public void Bad_qa_settings_cite_line_column_and_the_whole_path()
    {
        var unknown = Assert.Throws<LeverUserException>(() => Settings(Workspace("    index: manual\n    top_k: 3")));
        Assert.Matches(@"lever\.yaml:\d+:5: lab\.qa\.top_k: unknown field 'top_k'$", unknown.Message);
        var k = Assert.Throws<LeverUserException>(() => Settings(Workspace("    index: manual\n    k: 0")));
        Assert.Matches(@"lever\.yaml:\d+:8: lab\.qa\.k: 0 is outside 1–20$", k.Message);
    }

    private static QaLabSettings Settings(string root)
    {
        var ws = Core.Workspace.Open(root);
        return QaLabSettings.Load(ws, LabConfiguration.Load(ws));
    }
}
