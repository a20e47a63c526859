using System.Text.Json;
using Lever.Core;
using Lever.Lab.Import;

namespace Lever.Lab.Tests;

/// <summary>The lab on a team's own file (<c>lab.dataset.source: file</c>): any number of classes, its split, its metrics.</summary>
public sealed class FileSourceLabTests : IDisposable
{
    private readonly TempWorkspace _ws = new("lever-filelab-");

    public void Dispose() => _ws.Dispose();

    // Three classes with vocabularies of their own: any text's words occur in its class only.
    private static readonly Dictionary<string, string[]> Words = new()
    {
        ["billing"] = ["invoice", "refund", "charge", "payment", "receipt"],
        ["sales"] = ["quote", "discount", "pricing", "demo", "upgrade"],
        ["tech"] = ["crash", "error", "login", "freeze", "bug"],
    };

    private static string Text(string label, int i) => string.Join(' ', Enumerable.Range(0, 3).Select(k => Words[label][(i + k) % 5]));

    private static string Row(string text, string label, string? id = null) =>
        JsonSerializer.Serialize(id is null ? new { text, label } as object : new { id, text, label }) + "\n";

    private Workspace Setup(string data, string dataset)
    {
        _ws.Write("data.jsonl", data);
        _ws.WriteLeverYaml($"""
            workload:
              task:
                kind: classification
                classes: 3
              workload:
                requests_per_month: 1000
            lab:
              task: classification
              recipes: [baseline-logreg, rag-knn-vote]
              dataset:
                source: file
                path: data.jsonl
            {dataset}
            """);
        return Workspace.Open(_ws.Root);
    }

    private static async Task<LabReport> Run(Workspace ws)
    {
        var config = LabConfiguration.Load(ws);
        return await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_given_test_file_is_the_test_and_three_class_metrics_are_what_the_answers_make_them()
    {
        var train = string.Concat(Words.Keys.SelectMany(l => Enumerable.Range(0, 8).Select(i => Row(Text(l, i), l))));
        var ws = Setup(train, "    test: test.jsonl\n");
        // Six test rows; the fifth has billing's words under the gold label tech, so every recipe that reads words says billing.
        _ws.Write("test.jsonl", Row(Text("billing", 1), "billing") + Row(Text("billing", 2), "billing") + Row(Text("sales", 1), "sales")
            + Row(Text("sales", 3), "sales") + Row(Text("billing", 4), "tech") + Row(Text("tech", 0), "tech"));

        var report = await Run(ws);

        Assert.Equal(["baseline-logreg", "rag-knn-vote"], report.Results.Select(r => r.Name));
        foreach (var r in report.Results)
        {
            Assert.Equal(6, r.Metrics.Count);
            Assert.Equal(5.0 / 6, r.Metrics.Accuracy, 12);
            // billing: P 2/3, R 2/2 → F1 0.8; sales: 1, 1 → 1; tech: P 1/1, R 1/2 → F1 2/3.
            Assert.Equal((0.8 + 1 + 2.0 / 3) / 3, r.Metrics.MacroF1, 12);
            Assert.Equal(1, r.Metrics.Cell("tech", "billing"));
        }
        // Validation: 15% of each class of the data, rounded (8 → 1); the test file's rows are numbered apart from the data's.
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(ws.StateDir, "lab", "data", "stats.json"))).RootElement.GetProperty("splits");
        Assert.Equal(21, stats.GetProperty("train").EnumerateObject().Sum(p => p.Value.GetInt32()));
        Assert.Equal(3, stats.GetProperty("validation").EnumerateObject().Sum(p => p.Value.GetInt32()));
        Assert.Contains("test-line-5", File.ReadAllText(Path.Combine(ws.StateDir, "lab", "data", "test.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_test_file_the_split_is_stratified_and_seeded_and_a_rerun_reuses_every_stage()
    {
        var data = string.Concat(Words.Keys.SelectMany(l => Enumerable.Range(0, 10).Select(i => Row(Text(l, i) + $" n{i}", l, $"{l}-{i}"))));
        var ws = Setup(data, "    test_fraction: 0.2\n    seed: 7\n");

        var report = await Run(ws);
        // 20% of each class of 10 is 2: six test rows, two per class; both recipes read the words right.
        Assert.All(report.Results, r => Assert.Equal((6, 1.0), (r.Metrics.Count, r.Metrics.Accuracy)));
        var test = File.ReadAllLines(Path.Combine(ws.StateDir, "lab", "data", "test.jsonl"));
        Assert.Equal(2, test.Count(l => l.Contains("\"label\":\"sales\"", StringComparison.Ordinal)));

        var again = await Run(ws);
        Assert.Empty(again.Ran);
        Assert.Contains("data", again.Reused);
        Assert.Equal(test, File.ReadAllLines(Path.Combine(ws.StateDir, "lab", "data", "test.jsonl")));
    }

    [Fact]
    public async Task The_order_split_tests_on_the_latest_rows()
    {
        // 10 rows per class, given out of time order in the file; the time field decides which are the last 20%.
        var rows = Words.Keys.SelectMany((l, c) => Enumerable.Range(0, 10).Select(i => (Id: $"{l}-{i}", Text: Text(l, i), Label: l, Day: 1 + (i * 7 + c) % 30))).ToList();
        var data = string.Concat(rows.Select(r => JsonSerializer.Serialize(new { id = r.Id, text = r.Text, label = r.Label, date = $"2026-11-{r.Day:00}" }) + "\n"));
        var ws = Setup(data, "    split: order\n    test_fraction: 0.2\n");
        await Run(ws);
        var latest = rows.OrderBy(r => r.Day).ThenBy(r => rows.IndexOf(r)).TakeLast(6).Select(r => r.Id).Order(StringComparer.Ordinal);
        var test = File.ReadAllLines(Path.Combine(ws.StateDir, "lab", "data", "test.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!);
        Assert.Equal(latest, test.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_bad_row_in_the_data_file_fails_the_lab_with_its_line_and_nothing_is_run()
    {
        var ws = Setup(Row("fine", "a") + "{\"text\":\"no label\"}\n", "");
        var ex = await Assert.ThrowsAsync<LeverUserException>(() => Run(ws));
        Assert.Equal($"{_ws.Combine("data.jsonl")}:2: field 'label' is missing", ex.Message);
        Assert.False(File.Exists(Path.Combine(ws.StateDir, "lab", "data", "train.jsonl")));
    }

    [Fact]
    public async Task A_missing_data_file_next_to_a_setup_script_says_to_run_it()
    {
        var ws = Setup(Row("fine", "a"), "");
        File.Delete(_ws.Combine("data.jsonl"));
        var plain = await Assert.ThrowsAsync<LeverUserException>(() => Run(ws));
        Assert.Equal("check the path (relative paths are from the workspace)", plain.Hint);
        _ws.Write("setup.sh", "#!/bin/sh\n");
        var sample = await Assert.ThrowsAsync<LeverUserException>(() => Run(ws));
        Assert.StartsWith($"{_ws.Combine("data.jsonl")}: file not found", sample.Message);
        Assert.Equal($"run {_ws.Combine("setup.sh")} first: it fetches this workspace's data", sample.Hint);
    }

    [Fact]
    public void A_hosted_classifier_asks_about_texts_for_a_teams_labels_and_about_emails_for_ham_and_spam()
    {
        Assert.Equal("You classify texts. Each user message is one text. Answer with exactly one of these labels: a, b. Reply with the label only, nothing else.",
            Recipes.Provider.Internal.HostedClassifier.Instruction(["a", "b"]));
        Assert.StartsWith("You classify emails.", Recipes.Provider.Internal.HostedClassifier.Instruction(["ham", "spam"]), StringComparison.Ordinal);
    }
}
