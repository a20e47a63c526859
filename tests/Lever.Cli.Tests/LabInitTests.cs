using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary><c>lever lab init</c> as a user runs it: what it prints, the lever.yaml it writes, and its errors.</summary>
public sealed class LabInitTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-labinit-");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Init_profiles_the_data_writes_a_lever_yaml_the_lab_accepts_and_says_what_to_run_next()
    {
        string[] labels = ["billing", "tech", "sales", "legal", "hr"];
        var rows = Enumerable.Range(0, 50).Select(i => JsonSerializer.Serialize(new { text = $"ticket {i} about {labels[i % 5]} matters", label = labels[i % 5] }));
        _tmp.Write("data/tickets.jsonl", string.Join('\n', rows) + "\n");
        var ws = _tmp.Combine("ws");

        var r = LeverProcess.Run(_tmp.Root, "lab", "init", ws, "--data", _tmp.Combine("data/tickets.jsonl"), "--requests-per-month", "20000");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n');
        Assert.Contains("task: classification (a label field, 5 distinct labels over 50 rows)", lines);
        Assert.Contains(lines, l => l.StartsWith("classes: 5: billing 10 (20.0%), hr 10 (20.0%), legal 10 (20.0%), sales 10 (20.0%), tech 10 (20.0%); imbalance 1.0×", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("data size: 50 rows vs the seeds' 500–2,000 for domain classification (5–10 classes): below", StringComparison.Ordinal));
        Assert.Contains($"next: lever lab {ws}", lines);
        var yaml = File.ReadAllText(Path.Combine(ws, "lever.yaml"));
        Assert.Contains("    path: ../data/tickets.jsonl", yaml, StringComparison.Ordinal);
        Assert.Contains("    requests_per_month: 20000", yaml, StringComparison.Ordinal);
        Assert.Contains("    classes: 5", yaml, StringComparison.Ordinal);

        // A second init does not overwrite what the user may have edited.
        var again = LeverProcess.Run(_tmp.Root, "lab", "init", ws, "--data", _tmp.Combine("data/tickets.jsonl"));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_then_lab_measures_a_transformation_with_token_f1_the_hand_computation_predicts()
    {
        // "alice smith" → "SMITH, ALICE": every (first, last) pair once, so a test row shares its first or its last name
        // with training rows but never both. Copying the input has every output token (token-F1 1, never exact); the
        // nearest training input shares one of the two names, so its output has one of the two tokens (F1 0.5).
        string[] first = ["alice", "bruno", "chloe", "dmitri", "emeka", "fatima", "goran", "hana", "ivan", "jun"], last = ["smith", "okafor", "tanaka", "novak", "silva"];
        var rows = first.SelectMany(f => last.Select(l => JsonSerializer.Serialize(new { input = $"{f} {l}", output = $"{l.ToUpperInvariant()}, {f.ToUpperInvariant()}" })));
        _tmp.Write("data/names.jsonl", string.Join('\n', rows) + "\n");
        var ws = _tmp.Combine("ws");

        var init = LeverProcess.Run(_tmp.Root, "lab", "init", ws, "--data", _tmp.Combine("data/names.jsonl"));
        Assert.True(init.ExitCode == 0, init.Stderr);
        Assert.Contains(init.Stdout.Split('\n'), l => l.StartsWith("task: extraction (free-text outputs", StringComparison.Ordinal));
        Assert.Contains($"next: lever lab {ws}", init.Stdout, StringComparison.Ordinal);
        File.AppendAllText(Path.Combine(ws, "lever.yaml"), "  recipes: [baseline-nearest-output, baseline-copy-input]\n");

        var lab = LeverProcess.Run(_tmp.Root, "lab", ws);

        Assert.True(lab.ExitCode == 0, lab.Stdout + lab.Stderr);
        Assert.Contains("tokF1", lab.Stdout, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(ws, ".lever", "lab", "summary.json")));
        Assert.Equal("token_f1", summary.RootElement.GetProperty("quality_metric").GetString());
        var byName = summary.RootElement.GetProperty("recipes").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal((1.0, 0.0), (byName["baseline-copy-input"].GetProperty("token_f1").GetDouble(), byName["baseline-copy-input"].GetProperty("exact_match").GetDouble()));
        Assert.Equal(0.5, byName["baseline-nearest-output"].GetProperty("quality").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, byName["baseline-nearest-output"].GetProperty("field_f1").ValueKind);
        // 50 rows, 20% at random (not per output: every output is its own) → 10 test items.
        Assert.Contains("test 10", lab.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_row_is_exit_2_with_its_file_line_field_and_fix_and_no_lever_yaml()
    {
        _tmp.Write("d.csv", "text,label\nfine,a\nfine too,b\nragged,a,extra\n");
        var r = LeverProcess.Run(_tmp.Root, "lab", "init", _tmp.Combine("ws"), "--data", _tmp.Combine("d.csv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{_tmp.Combine("d.csv")}:4: 3 field(s), the header has 2", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_tmp.Combine("ws/lever.yaml")));
    }
}
