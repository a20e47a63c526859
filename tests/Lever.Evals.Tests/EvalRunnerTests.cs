using System.Text.Json;
using Lever.Core.Prices;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Evals.Tests.TestModels;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests;

public class EvalRunnerTests
{
    private static string SetText(int n) => string.Join('\n', Enumerable.Range(1, n).Select(i => $"{{\"id\":\"q{i}\",\"input\":\"What is {i} squared?\",\"expected\":\"{i * i}\"}}")) + "\n";

    private static string Squares(IReadOnlyList<ChatMessage> m)
    {
        var words = TextModel.LastUser(m).Split(' ');
        var n = int.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture);
        return (n * n).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A provider that serves <c>okCalls</c> answers and then is down.</summary>
    private sealed class OutageModel(int okCalls) : TextModel(Squares)
    {
        private int _served;

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _served) > okCalls) throw new ProviderCallException("server", "provider 'test' at http://127.0.0.1:1/v1 answered 503 after 3 retries");
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    private static Recipe Recipe() => new() { Name = "squares", Scoring = new ScoringOptions { Scorers = ["exact", "numeric"] } };

    [Fact]
    public async Task A_provider_outage_keeps_finished_items_and_the_resumed_run_completes_without_repeating_them()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", SetText(8)));
        var runDir = Path.Combine(ws.Root, "run");
        var options = new EvalRunOptions { Concurrency = 1, MaxConsecutiveFailures = 2 };

        var first = await new EvalRunner(Recipe(), new RecipeServices { Chat = new OutageModel(3) }, options).RunAsync(set, runDir);
        Assert.Equal((8, 3, 2), (first.Items, first.Completed, first.Failed));
        Assert.Equal(2, first.CallFailures["server"]);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, EvalRunner.ResultsFile)).Length);

        var healthy = new TextModel(Squares);
        var second = await new EvalRunner(Recipe(), new RecipeServices { Chat = healthy }, options).RunAsync(set, runDir);
        Assert.Equal(5, healthy.Calls);
        Assert.Equal((8, 8, 0, 8), (second.Items, second.Completed, second.Failed, second.Passed));
        Assert.Equal(1.0, second.Metrics["exact"]);
    }

    [Fact]
    public async Task A_torn_last_line_from_a_killed_run_is_ignored_and_only_that_item_reruns()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", SetText(4)));
        var runDir = Path.Combine(ws.Root, "run");
        await new EvalRunner(Recipe(), new RecipeServices { Chat = new TextModel(Squares) }).RunAsync(set, runDir);
        var results = Path.Combine(runDir, EvalRunner.ResultsFile);
        var lines = File.ReadAllLines(results);
        // Simulate kill -9 mid-write: the last record is cut in half.
        File.WriteAllText(results, string.Join('\n', lines[..^1]) + "\n" + lines[^1][..(lines[^1].Length / 2)]);

        var model = new TextModel(Squares);
        var resumed = await new EvalRunner(Recipe(), new RecipeServices { Chat = model }).RunAsync(set, runDir);
        Assert.Equal(1, model.Calls);
        Assert.Equal(4, resumed.Completed);
        Assert.Equal(4, resumed.Passed);
    }

    [Fact]
    public async Task Answers_are_cached_by_recipe_and_item_so_a_new_run_costs_no_calls()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", SetText(5)));
        var options = new EvalRunOptions { CacheDir = Path.Combine(ws.Root, "cache") };
        var prices = new TokenPrices(2.5, 1.25, 10);
        var first = await new EvalRunner(Recipe(), new RecipeServices { Chat = new TextModel(Squares), Prices = prices }, options).RunAsync(set, Path.Combine(ws.Root, "a"));

        var model = new TextModel(Squares);
        var second = await new EvalRunner(Recipe(), new RecipeServices { Chat = model, Prices = prices }, options).RunAsync(set, Path.Combine(ws.Root, "b"));
        Assert.Equal(0, model.Calls);
        Assert.Equal(first.CostUsd, second.CostUsd, 15);
        Assert.Equal(first.InputTokens, second.InputTokens);

        // A changed recipe is a new identity: no cache hits.
        var changed = Recipe();
        changed.Generation.MaxTokens = 7;
        var third = new TextModel(Squares);
        await new EvalRunner(changed, new RecipeServices { Chat = third }, options).RunAsync(set, Path.Combine(ws.Root, "c"));
        Assert.Equal(5, third.Calls);
    }

    [Fact]
    public async Task Summary_json_has_the_documented_fields_and_hand_checkable_cost()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", SetText(3)));
        var runDir = Path.Combine(ws.Root, "run");
        var prices = new TokenPrices(1.0, null, 2.0);
        var summary = await new EvalRunner(Recipe(), new RecipeServices { Chat = new TextModel(Squares), Prices = prices }).RunAsync(set, runDir);

        // Each prompt is "What is i squared?" (4 words) and each answer one word: 12 input, 3 output tokens.
        Assert.Equal(12, summary.InputTokens);
        Assert.Equal(3, summary.OutputTokens);
        Assert.Equal((12 * 1.0 + 3 * 2.0) / 1e6, summary.CostUsd, 15);
        Assert.Equal(summary.CostUsd / 3 * 1000, summary.CostPer1kUsd, 12);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, EvalRunner.SummaryFile)));
        foreach (var field in new[] { "run", "recipe", "items", "completed", "failed", "metrics", "cost_usd", "cost_per_1k_usd", "latency_ms_p50", "latency_ms_p95", "diagnosis" })
            Assert.True(doc.RootElement.TryGetProperty(field, out _), field);
        Assert.Equal(4, doc.RootElement.GetProperty("diagnosis").EnumerateObject().Count());
        // The advisor (docs/ADVISOR.md) reads metrics.accuracy and treats a top-level "failures" object as diagnosis counts.
        Assert.Equal(1.0, doc.RootElement.GetProperty("metrics").GetProperty("accuracy").GetDouble());
        Assert.False(doc.RootElement.TryGetProperty("failures", out _));
        Assert.True(doc.RootElement.TryGetProperty("call_failures", out _));
        Assert.Equal(1.0, doc.RootElement.GetProperty("metrics").GetProperty("pass_rate").GetDouble());
        Assert.True(File.Exists(Path.Combine(runDir, "report.md")));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(runDir, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_mid_run_keeps_finished_items_writes_the_summary_and_rethrows()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", SetText(10)));
        var runDir = Path.Combine(ws.Root, "run");
        using var cts = new CancellationTokenSource();
        var model = new TextModel(m =>
        {
            var answer = Squares(m);
            if (answer == "16") cts.Cancel(); // Ctrl-C while the 4th item is being answered
            return answer;
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new EvalRunner(Recipe(), new RecipeServices { Chat = model }, new EvalRunOptions { Concurrency = 1 }).RunAsync(set, runDir, cancellationToken: cts.Token));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, EvalRunner.SummaryFile)));
        var completed = summary.RootElement.GetProperty("completed").GetInt32();
        Assert.InRange(completed, 3, 4);
        Assert.Equal(completed, File.ReadAllLines(Path.Combine(runDir, EvalRunner.ResultsFile)).Length);

        var rest = new TextModel(Squares);
        var resumed = await new EvalRunner(Recipe(), new RecipeServices { Chat = rest }).RunAsync(set, runDir);
        Assert.Equal(10 - completed, rest.Calls);
        Assert.Equal(10, resumed.Passed);
    }

    [Fact]
    public async Task Results_are_sliced_by_tag()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", """
            {"input":"What is 2 squared?","expected":"4","metadata":{"tags":["easy","math"]}}
            {"input":"What is 3 squared?","expected":"10","metadata":{"tags":["math"]}}
            {"input":"What is 4 squared?","expected":"16"}
            """));
        var summary = await new EvalRunner(Recipe(), new RecipeServices { Chat = new TextModel(Squares) }).RunAsync(set, Path.Combine(ws.Root, "run"));
        Assert.Equal(new TagSlice(1, 1.0), summary.ByTag["easy"]);
        Assert.Equal(new TagSlice(2, 0.5), summary.ByTag["math"]);
        Assert.Equal(2, summary.ByTag.Count);
    }
}
