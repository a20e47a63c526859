using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary><c>lever usage</c>: the ledger summed by month, identity and model, beside the lab advice's predicted cost.</summary>
public sealed class UsageCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-usage-");

    public void Dispose() => _tmp.Dispose();

    private static string Line(string time, string identity, string model, int prompt, int completion, double ms, double? cost) =>
        JsonSerializer.Serialize(new { time, identity, model, prompt_tokens = prompt, completion_tokens = completion, ms, stream = false, cost_usd = cost }) + "\n";

    [Fact]
    public void A_past_month_is_summed_per_identity_and_model_and_set_beside_the_prediction()
    {
        _tmp.WriteLeverYaml("lab: {}\n");
        _tmp.Write(".lever/server/usage.jsonl",
            Line("2026-11-03T10:00:00.000Z", "team-a", "rag", 100, 10, 2000, 0.004)
            + Line("2026-11-20T10:00:00.000Z", "team-a", "rag", 50, 5, 1000, 0.002)
            + Line("2026-11-21T10:00:00.000Z", "team-b", "rag", 30, 3, 500, 0.001)
            + Line("2026-12-01T10:00:00.000Z", "team-b", "rag", 30, 3, 500, 0.001));
        // What the lab predicted: 300 requests a month at $0.01 per 1,000 answers.
        _tmp.Write(".lever/lab/summary.json", """
            {"recipes": [{"name": "rag-recipe", "lever": "rag"}],
             "recommendation": {"primary": "rag", "today": "2026-10-30", "workload": {"workload": {"requests_per_month": 300}},
                                "options": [{"lever": "prompt", "cost_per_1k_answers_usd": 9, "monthly_usd": 2.7},
                                            {"lever": "rag", "cost_per_1k_answers_usd": 0.01, "monthly_usd": 0.003}]}}
            """);
        var r = LeverProcess.Run(_tmp.Root, "usage", "--month", "2026-11", "--workspace", _tmp.Root);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var lines = r.Stdout.Split('\n');
        Assert.StartsWith("usage 2026-11 (", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("30 of 30 days)", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^team-a\s+rag\s+2\s+150\s+15\s+3\.0\s+0\.00600$", lines[2]);
        Assert.Matches(@"^team-b\s+rag\s+1\s+30\s+3\s+0\.5\s+0\.00100$", lines[3]);
        Assert.Matches(@"^total\s+3\s+180\s+18\s+3\.5\s+0\.00700$", lines[4]);
        // 3 requests in the month cost $0.007: $2.33 per 1,000 answers, against $0.01 predicted.
        Assert.Contains("actual: 3 requests → 3 a month at this rate; $2.33 per 1,000 answers → $0.00700 a month at this rate", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("predicted (.lever/lab/summary.json, 2026-10-30): rag with recipe 'rag-recipe': 300 requests a month, $0.01 per 1,000 answers → $0.00300 a month", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("actual vs predicted: volume 0.01×, cost per answer 233.33×, monthly cost 2.33×", r.Stdout, StringComparison.Ordinal);

        var json = LeverProcess.Run(_tmp.Root, "usage", "--json", "--workspace", _tmp.Root);
        Assert.Equal(0, json.ExitCode);
        var o = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("2026-12", o.GetProperty("month").GetString()); // the latest month by default
        Assert.Equal(1, o.GetProperty("actual").GetProperty("requests").GetInt32());
    }

    [Fact]
    public void No_ledger_is_one_line_naming_it_and_a_bad_month_says_the_format()
    {
        _tmp.WriteLeverYaml("lab: {}\n");
        var none = LeverProcess.Run(_tmp.Root, "usage", "--workspace", _tmp.Root);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("usage.jsonl: no usage recorded yet", none.Stderr, StringComparison.Ordinal);
        _tmp.Write(".lever/server/usage.jsonl", Line("2026-11-03T10:00:00.000Z", "a", "m", 1, 1, 1, null));
        var bad = LeverProcess.Run(_tmp.Root, "usage", "--month", "11/2026", "--workspace", _tmp.Root);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--month 11/2026: not a month", bad.Stderr, StringComparison.Ordinal);
    }
}
