using System.Text.Json;
using Lever.Core;

namespace Lever.Lab.Tests;

/// <summary>
/// The extraction lab end to end on a tiny JSON set whose answers are known by construction: the nearest-output
/// baseline's exact match, token-F1 and field-level precision/recall/F1 are computed by hand below.
/// </summary>
public sealed class ExtractionLabTests : IDisposable
{
    private readonly TempWorkspace _ws = new("lever-extractlab-");

    public void Dispose() => _ws.Dispose();

    private static readonly Dictionary<string, string> City = new()
    {
        ["alice"] = "paris", ["bob"] = "rome", ["carol"] = "lima", ["dave"] = "kyiv", ["erin"] = "oslo",
    };

    private static string Output(string customer, string city, bool vip = false) =>
        vip ? JsonSerializer.Serialize(new { customer, city, vip }) : JsonSerializer.Serialize(new { customer, city });

    private static string Row(string id, string input, string output) => JsonSerializer.Serialize(new { id, input, output }) + "\n";

    private Workspace Setup(string recipes = "[baseline-nearest-output, baseline-copy-input]", string llm = "")
    {
        // 8 training rows per customer with one output each: validation (15% of 40 = 6 rows) cannot take a whole customer,
        // so every test input's nearest training input (by its one shared word, the name) has that customer's output.
        _ws.Write("data.jsonl", string.Concat(City.Keys.SelectMany(c => Enumerable.Range(0, 8).Select(k => Row($"{c}-{k}", $"{c} order number {k}", Output(c, City[c]))))));
        _ws.Write("test.jsonl",
            Row("t1", "alice wants refund", Output("alice", "paris"))           // nearest output exact
            + Row("t2", "bob wants refund", Output("bob", "rome"))             // exact
            + Row("t3", "carol wants refund", Output("carol", "lima"))         // exact
            + Row("t4", "dave moved away", Output("dave", "berlin"))           // 1 of 2 fields right
            + Row("t5", "erin asks politely", Output("erin", "oslo", vip: true)) // 2 of 3 fields, none invented
            + Row("t6", "zed quux", Output("zed", "nowhere")));                // no shared word: no neighbour, empty answer
        _ws.WriteLeverYaml($$"""
            workload:
              task:
                kind: extraction
              workload:
                requests_per_month: 1000
            lab:
              task: extraction
              recipes: {{recipes}}
              dataset:
                source: file
                path: data.jsonl
                input_field: input
                output_field: output
                test: test.jsonl
            {{llm}}
            """);
        return Workspace.Open(_ws.Root);
    }

    [Fact]
    public async Task The_nearest_output_baseline_scores_what_the_hand_computation_says_and_summary_json_names_field_f1()
    {
        var ws = Setup();
        var config = LabConfiguration.Load(ws);
        var observer = new RecordingObserver();
        var report = await new LabRunner(ws, config, LabRunner.Recipes(config.Options), observer, Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);

        var nearest = report.Results.Single(r => r.Name == "baseline-nearest-output").Extraction!;
        Assert.Equal(6, nearest.Count);
        Assert.Equal(3.0 / 6, nearest.ExactMatch, 12);
        // Fields expected 2+2+2+2+3+2 = 13, answered 2+2+2+2+2+0 = 10, right 2+2+2+1+2+0 = 9.
        Assert.Equal(9.0 / 10, nearest.FieldPrecision!.Value, 12);
        Assert.Equal(9.0 / 13, nearest.FieldRecall!.Value, 12);
        Assert.Equal(18.0 / 23, nearest.FieldF1!.Value, 12);
        // Token-F1 over {customer, NAME, city, CITY[, vip, true]}: t1–t3 1, t4 3/4 shared → 0.75, t5 P 1 R 4/6 → 0.8, t6 0.
        Assert.Equal((3 + 0.75 + 0.8) / 6, nearest.TokenF1, 12);
        Assert.Equal("field_f1", nearest.QualityMetric);

        // Copying the input: never JSON, so no field answered and nothing exact.
        var copy = report.Results.Single(r => r.Name == "baseline-copy-input").Extraction!;
        Assert.Equal((0.0, 0.0, 0.0), (copy.ExactMatch, copy.FieldPrecision!.Value, copy.FieldF1!.Value));

        // Paired outcomes for the advisor: each item's own field F1 (t4: 2·1/(2+2) = 0.5; t5: 2·2/(3+2) = 0.8).
        var outcomes = report.Results.Single(r => r.Name == "baseline-nearest-output").Outcomes;
        Assert.Equal(0.5, outcomes["t4"].Score, 12);
        Assert.Equal(0.8, outcomes["t5"].Score, 12);
        Assert.True(outcomes["t1"].Correct);
        Assert.False(outcomes["t4"].Correct);

        using var summary = JsonDocument.Parse(File.ReadAllText(report.SummaryPath));
        Assert.Equal("field_f1", summary.RootElement.GetProperty("quality_metric").GetString());
        var row = summary.RootElement.GetProperty("recipes").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "baseline-nearest-output");
        Assert.Equal(Math.Round(18.0 / 23, 4), row.GetProperty("quality").GetDouble(), 4);
        Assert.Equal(0.5, row.GetProperty("exact_match").GetDouble(), 4);
        Assert.Equal(JsonValueKind.Null, row.GetProperty("macro_f1").ValueKind);
        // The advisor's evidence carries field F1 as a score (paired by item), not as an accuracy.
        var evidence = Reporting.LabAdvice.Evidence(report.Results).Single(e => e.Name == "baseline-nearest-output");
        Assert.Null(evidence.Accuracy);
        Assert.Equal(Math.Round(18.0 / 23, 6), evidence.Quality!.Value, 12);
        // Two baseline rows are one lever: the advisor's measured decision needs two levers, so its declared-symptom rule
        // decides here; the lab's own frontier rule (no workload) picks by field F1.
        var frontier = Reporting.FrontierRecommender.Recommend(report.Results, 1000, 1.0, 6);
        Assert.Equal("baseline-nearest-output", frontier.Recipe);
        Assert.StartsWith("best field_f1: baseline-nearest-output", frontier.Rationale[1], StringComparison.Ordinal);

        var html = File.ReadAllText(report.ReportPath);
        Assert.Contains("<th>field F1</th>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Confusion matrices", html, StringComparison.Ordinal);
        // The split counts examples, not classes (every output is its own text).
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(ws.StateDir, "lab", "data", "stats.json"))).RootElement.GetProperty("splits");
        Assert.Equal(6, stats.GetProperty("test").GetProperty("examples").GetInt32());
        Assert.Equal(34, stats.GetProperty("train").GetProperty("examples").GetInt32());
        // A team's data is not email: the stage details say examples.
        Assert.Contains("train:baseline-nearest-output: BM25 index of 34 training examples (34 chunks)", observer.Details[1], StringComparison.Ordinal);
        Assert.DoesNotContain(observer.Details, d => d.Contains("email", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("test: test.jsonl; train 34; validation 6; test 6", observer.Details[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recipe_descriptions_speak_of_examples_and_texts_not_emails_on_any_dataset()
    {
        var classification = LabRunner.Recipes(new LabOptions { Dataset = new LabDatasetOptions { Source = "file", Path = "d.jsonl" } });
        var extraction = LabRunner.Recipes(new LabOptions { Task = "extraction" });
        Assert.All(classification.Concat(extraction), r => Assert.DoesNotContain("email", r.Description, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("the 5 most similar training examples", classification.Single(r => r.Name == "rag-knn-vote").Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_extraction_lab_lists_its_own_recipes_and_refuses_a_classification_recipe_by_name()
    {
        var options = new LabOptions { Task = "extraction" };
        Assert.Equal(["baseline-nearest-output", "baseline-copy-input", "local-rag-few-shot", "local-lora"], LabRunner.Recipes(options).Select(r => r.Name));
        var refused = Assert.Throws<LeverUserException>(() => LabRunner.Recipes(new LabOptions { Task = "extraction", Recipes = ["baseline-logreg"] }));
        Assert.Contains("baseline-logreg", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_generating_rows_run_on_a_model_pretrained_on_input_output_pairs_answer_one_line_each_and_are_reused()
    {
        var ws = Setup("[local-rag-few-shot, local-lora]", """
              llm:
                vocab: 300
                pretrain_steps: 2
                lora_steps: 2
                batch_size: 2
                seq_len: 96
                lora_rank: 2
            """);
        var config = LabConfiguration.Load(ws);
        var first = await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);

        Assert.Equal(["data", "tokenizer", "pretrain", "train:local-rag-few-shot", "eval:local-rag-few-shot", "train:local-lora", "eval:local-lora", "report"], first.Ran);
        foreach (var r in first.Results)
        {
            Assert.Equal(6, r.Extraction!.Count);
            Assert.InRange(r.Extraction.FieldF1!.Value, 0, 1);
            Assert.True(r.TrainSeconds > 0);
        }
        // The base model read each training pair in the prompts' own shape.
        var pretrain = File.ReadAllLines(Path.Combine(ws.StateDir, "lab", "models", "pretrain-data", "train.jsonl"));
        Assert.Equal(34, pretrain.Length);
        Assert.All(pretrain, l => Assert.Matches("^\\{\"text\":\"Input: [a-z]+ order number \\d\\\\nOutput: \\{", l));
        // Greedy answers stop at the first newline.
        foreach (var name in new[] { "local-rag-few-shot", "local-lora" })
            Assert.All(File.ReadAllLines(Path.Combine(ws.StateDir, "lab", "recipes", name, "eval", "results.jsonl")),
                l => Assert.DoesNotContain("\n", JsonDocument.Parse(l).RootElement.GetProperty("prediction").GetString()!, StringComparison.Ordinal));

        var second = await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
        Assert.Empty(second.Ran);
        Assert.Equal(first.Results.Select(r => r.Quality), second.Results.Select(r => r.Quality));
    }
}
