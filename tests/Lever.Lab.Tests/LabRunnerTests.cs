using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Pipeline;
using Lever.Lab.Recipes;

namespace Lever.Lab.Tests;

public sealed class LabRunnerTests : IDisposable
{
    private readonly string _root = SyntheticCorpus.CreateWorkspace();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(LabReport Report, RecordingObserver Observer)> Run(params LabRecipe[] recipes)
    {
        var ws = Workspace.Open(_root);
        var observer = new RecordingObserver();
        var runner = new LabRunner(ws, LabConfiguration.Load(ws), recipes.Length > 0 ? recipes : [new ClassicalBaselineRecipe()], observer, Lever.Reports.LabPages.Instance);
        return (await runner.RunAsync(CancellationToken.None), observer);
    }

    [Fact]
    public async Task End_to_end_writes_summary_json_in_the_specified_shape_with_measured_numbers()
    {
        var (report, _) = await Run();
        var summary = JsonNode.Parse(File.ReadAllText(report.SummaryPath))!.AsObject();
        Assert.Equal(["recipes", "recommendation", "quality_metric", "tolerance_points", "hosted_priced", "inference"], summary.Select(p => p.Key));
        var recipe = Assert.Single(summary["recipes"]!.AsArray())!.AsObject();
        // No provider configured: every hosted chat model of the price book is priced for this data (not measured), cheapest first.
        var quotes = summary["hosted_priced"]!.AsArray().Select(q => q!.AsObject()).ToList();
        var book = Lever.Core.Prices.PriceBook.Default;
        Assert.Equal(book.ModelIds.Count(id => !id.StartsWith("ft:", StringComparison.Ordinal)), quotes.Count);
        Assert.True(quotes.Zip(quotes.Skip(1)).All(p => p.First["cost_per_1k_usd"]!.GetValue<double>() <= p.Second["cost_per_1k_usd"]!.GetValue<double>()));
        var gpt4o = quotes.Single(q => q["model"]!.GetValue<string>() == "gpt-4o");
        var test = Lever.Lab.Internal.JsonLines.Read<Lever.Lab.Data.LabExample>(Path.Combine(Path.GetDirectoryName(report.SummaryPath)!, "data", "test.jsonl"));
        // By hand: the spam instruction plus each test email's "Text:\n" + text (under the 2,000-character cut), at 4 characters a token; "ham"/"spam" is 1 token.
        var instruction = Lever.Lab.Recipes.Provider.Internal.HostedClassifier.Instruction(["ham", "spam"]).Length;
        var input = Math.Ceiling((instruction + test.Average(e => Math.Min(e.Text.Length, 2000) + 6.0)) / 4);
        Assert.Equal((input, 1.0), (gpt4o["input_tokens"]!.GetValue<double>(), gpt4o["output_tokens"]!.GetValue<double>()));
        Assert.Equal((input * 2.50 + 1 * 10.00) / 1000, gpt4o["cost_per_1k_usd"]!.GetValue<double>(), 6);
        Assert.False(gpt4o["measured"]!.GetValue<bool>());
        Assert.Equal(["name", "lever", "accuracy", "macro_f1", "latency_ms_p50", "latency_ms_p95", "cost_per_1k_usd", "train_seconds", "quality", "inference_backend", "inference_quantization"], recipe.Select(p => p.Key));
        Assert.Equal("baseline-logreg", recipe["name"]!.GetValue<string>());
        Assert.Equal("baseline", recipe["lever"]!.GetValue<string>());
        // Two separable vocabularies: the baseline must nearly ace them.
        Assert.InRange(recipe["accuracy"]!.GetValue<double>(), 0.9, 1.0);
        // Additive fields: the task's primary metric, named once, and the tolerance the decision used.
        Assert.Equal(("accuracy", recipe["accuracy"]!.GetValue<double>(), 1.0),
            (summary["quality_metric"]!.GetValue<string>(), recipe["quality"]!.GetValue<double>(), summary["tolerance_points"]!.GetValue<double>()));
        Assert.InRange(recipe["macro_f1"]!.GetValue<double>(), 0.9, 1.0);
        Assert.True(recipe["latency_ms_p50"]!.GetValue<double>() > 0);
        Assert.True(recipe["latency_ms_p95"]!.GetValue<double>() >= recipe["latency_ms_p50"]!.GetValue<double>());
        Assert.True(recipe["cost_per_1k_usd"]!.GetValue<double>() > 0);
        Assert.True(recipe["train_seconds"]!.GetValue<double>() > 0);
        // The workspace declares a workload: the advisor decides, with the measured recipe as evidence.
        var recommendation = summary["recommendation"]!.AsObject();
        Assert.Contains(recommendation["primary"]!.GetValue<string>(), new[] { "prompt", "prompt_caching", "rag", "fine_tune_lora", "fine_tune_qlora", "fine_tune_full", "distill", "continued_pretraining", "train_from_scratch", "hybrid" });
        var evidence = Assert.Single(recommendation["evidence"]!.AsArray())!;
        Assert.Equal("baseline-logreg", evidence["name"]!.GetValue<string>());
        Assert.Equal(recipe["accuracy"]!.GetValue<double>(), evidence["quality"]!.GetValue<double>(), 4);
        Assert.NotEmpty(recommendation["rationale"]!.AsArray());
        // The advisor got typed evidence, not this file, but the same numbers: `lever advise` on the written summary reads
        // exactly what the lab handed over in process (the plan's extra fields and the per-email outcomes aside).
        var handed = Assert.Single(report.Recommendation.Advice!.Evidence);
        var fromFile = Assert.Single(Advisor.EvidenceReader.Parse(Reporting.LabAdvice.EvidenceSource, File.ReadAllText(report.SummaryPath)));
        Assert.Equal(fromFile, handed with { Items = null, Model = null, TrainingUsd = null, ModelId = null, Route = null, Outcomes = fromFile.Outcomes });
        Assert.Equal(LeverKind.Baseline, handed.Lever);
        Assert.Equal(48, handed.Outcomes.Count);
        Assert.Equal(report.Results[0].Metrics.Accuracy, handed.Outcomes.Values.Count(o => o.Correct) / 48.0, 12);
        Assert.Equal((null, "self-hosted"), (handed.ModelId, handed.Route));

        // Test = the "-2" groups (24 + 24), every one answered; validation 20% of each class of the first groups.
        Assert.Equal(48, report.Results[0].Metrics.Count);
        Assert.Equal(new Dictionary<string, int> { ["ham"] = 24, ["spam"] = 24 }, report.Stats.Splits["test"]);
        Assert.Equal(new Dictionary<string, int> { ["ham"] = 10, ["spam"] = 5 }, report.Stats.Splits["validation"]);
        Assert.Equal(new Dictionary<string, int> { ["ham"] = 38, ["spam"] = 19 }, report.Stats.Splits["train"]);

        var html = File.ReadAllText(report.ReportPath);
        Assert.Contains("<svg", html);
        Assert.Contains("baseline-logreg", html);
        Assert.DoesNotContain("<script", html);
        var data = File.ReadAllLines(Path.Combine(_root, ".lever", "lab", "data", "test.jsonl"));
        Assert.Contains(data, l => l.Contains("caf\\u00E9", StringComparison.Ordinal) || l.Contains("café", StringComparison.Ordinal));
    }

    [Trait("tier", "slow")]
    [Fact]
    public async Task A_rerun_with_nothing_changed_reuses_every_stage_and_gives_the_same_numbers()
    {
        var (first, _) = await Run();
        var (second, observer) = await Run();
        Assert.Empty(second.Ran);
        Assert.Equal(["data", "train:baseline-logreg", "eval:baseline-logreg", "report"], observer.Reused);
        Assert.Equal(first.Results[0].Metrics.Accuracy, second.Results[0].Metrics.Accuracy);
        Assert.Equal(first.Results[0].TrainSeconds, second.Results[0].TrainSeconds);
    }

    [Fact]
    public async Task Changing_only_the_price_reruns_only_the_report()
    {
        await Run();
        var yaml = Path.Combine(_root, "lever.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("  dataset:", "  compute:\n    cpu_hour_usd: 0.5\n  dataset:", StringComparison.Ordinal));
        var (report, _) = await Run();
        Assert.Equal(["report"], report.Ran);
        Assert.Equal(["data", "train:baseline-logreg", "eval:baseline-logreg"], report.Reused);
    }

    [Fact]
    public async Task An_interrupted_evaluation_resumes_at_the_first_unanswered_item()
    {
        var interrupted = new CountingRecipe(stopAfter: 20);
        await Assert.ThrowsAsync<OperationCanceledException>(() => Run(interrupted));
        var partial = Path.Combine(_root, ".lever", "lab", "recipes", "baseline-logreg", "eval", "results.jsonl");
        Assert.Equal(20, File.ReadAllLines(partial).Length);

        var resumed = new CountingRecipe(stopAfter: int.MaxValue);
        var (report, observer) = await Run(resumed);
        Assert.Contains("train:baseline-logreg", report.Reused);
        Assert.Contains("eval:baseline-logreg", report.Ran);
        Assert.Contains(observer.Messages, m => m.Contains("resuming evaluation at item 21 of 48", StringComparison.Ordinal));
        Assert.Equal(48 - 20 + 1, resumed.Answers); // the rest, plus one untimed warm-up answer
        Assert.Equal(48, report.Results[0].Metrics.Count);
        var ids = File.ReadAllLines(partial)
            .Select(l => JsonNode.Parse(l)!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(48, ids.Count);
        Assert.Equal(48, ids.Distinct().Count());
    }

    [Fact]
    public void Unknown_recipe_names_in_the_config_are_a_user_error()
    {
        var ex = Assert.Throws<LeverUserException>(() => LabRunner.Recipes(new LabOptions { Recipes = ["no-such-recipe"] }));
        Assert.Contains("no-such-recipe", ex.Message);
        Assert.Contains("baseline-logreg", ex.Hint);
    }

    /// <summary>The baseline, counting answers and stopping (as Ctrl-C would) after a number of them.</summary>
    private sealed class CountingRecipe(int stopAfter) : LabRecipe
    {
        private readonly ClassicalBaselineRecipe _inner = new();

        public int Answers { get; private set; }

        public int StopAfter { get; } = stopAfter;

        public override string Name => _inner.Name;
        public override LeverKind Lever => _inner.Lever;
        public override string Description => _inner.Description;
        public override string Fingerprint => _inner.Fingerprint;
        public override IReadOnlyList<string> Artifacts => _inner.Artifacts;

        public override Task TrainAsync(RecipeContext context, CancellationToken ct) => _inner.TrainAsync(context, ct);

        public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
            new Answerer(await _inner.LoadAsync(context, ct), this);

        private sealed class Answerer(IRecipeAnswerer inner, CountingRecipe owner) : IRecipeAnswerer
        {
            private int _timed = -1; // the first call is the warm-up

            public ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct)
            {
                if (_timed++ >= owner.StopAfter) throw new OperationCanceledException();
                owner.Answers++;
                return inner.AnswerAsync(example, ct);
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
