using System.Text.Json;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary><c>lever eval</c> as a user runs it, against a real OpenAI-compatible server on 127.0.0.1.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-eval-");

    private string _dir => _tmp.Root;

    public void Dispose() => _tmp.Dispose();

    /// <summary>Reverses the words of the question (its words counted in and out); can be switched into an outage after a number of answers.</summary>
    private static ScriptedChatClient ReverseModel() => new(messages => string.Join(' ', ScriptedChatClient.Words(ScriptedChatClient.LastUser(messages)).Reverse()))
    {
        Usage = (messages, _) =>
        {
            var words = ScriptedChatClient.Words(ScriptedChatClient.LastUser(messages)).Length;
            return new UsageDetails { InputTokenCount = words, OutputTokenCount = words };
        },
    };


    private string Write(string relative, string text) => _tmp.Write(relative, text);

    [Fact]
    public void A_malformed_eval_line_is_reported_with_its_line_number_and_exit_2()
    {
        Write("recipes/plain.yaml", "provider: srv\nmodel: m\n");
        Write("lever.yaml", "providers:\n  srv:\n    base_url: http://127.0.0.1:9/v1\n    model: m\n");
        Write("set.jsonl", "{\"input\":\"a\",\"expected\":\"a\"}\n{\"input\":\"b\",\"expected\":\"b\"}\n{\"input\": [1]}\n");
        var r = LeverProcess.Run(_dir, "eval", "--recipe", "plain", "--set", "set.jsonl", "--workspace", _dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("set.jsonl:3: field 'input': expected a string", r.Stderr);
        Assert.Contains("hint:", r.Stderr);
    }

    [Fact]
    public async Task An_outage_mid_run_keeps_finished_items_and_the_rerun_resumes_then_costs_nothing()
    {
        var model = ReverseModel();
        model.FailAfter = 3;
        await using var server = OpenAiServer.Create(model, null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: reverse\n    max_retries: 0\n    prices:\n      input_per_million: 1\n      output_per_million: 2\n");
        Write("recipes/rev.yaml", "provider: srv\nsystem_prompt: Reverse the words.\nscoring:\n  scorers: [exact]\n");
        Write("set.jsonl", string.Join('\n', Enumerable.Range(1, 8).Select(i => $"{{\"id\":\"q{i}\",\"input\":\"a{i} b c\",\"expected\":\"c b a{i}\"}}")) + "\n");
        string[] args = ["eval", "--recipe", "rev", "--set", "set.jsonl", "--json", "-j", "1", "--workspace", _dir];

        var first = LeverProcess.Run(_dir, args);
        Assert.Equal(3, first.ExitCode);
        Assert.Contains("run the same command again to resume", first.Stderr);
        var runDir = Directory.GetDirectories(Path.Combine(_dir, ".lever", "runs")).Single();
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "results.jsonl")).Length);
        var partial = JsonDocument.Parse(first.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal((3, 5), (partial.GetProperty("completed").GetInt32(), partial.GetProperty("failed").GetInt32()));

        model.FailAfter = int.MaxValue;
        var before = model.Calls;
        var second = LeverProcess.Run(_dir, args);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(5, model.Calls - before); // only the unfinished items were asked again
        var summary = JsonDocument.Parse(second.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal((8, 8, 0), (summary.GetProperty("items").GetInt32(), summary.GetProperty("completed").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.Equal(1.0, summary.GetProperty("metrics").GetProperty("exact").GetDouble());
        // The model counts the question's 3 words in and 3 out: 8 × (3 × $1 + 3 × $2) per million.
        Assert.Equal((8 * 3 * 1.0 + 8 * 3 * 2.0) / 1e6, summary.GetProperty("cost_usd").GetDouble(), 12);

        before = model.Calls;
        var third = LeverProcess.Run(_dir, args);
        Assert.Equal(0, third.ExitCode);
        Assert.Equal(0, model.Calls - before);
        Assert.True(File.Exists(Path.Combine(runDir, "report.html")));
    }

    [Trait("tier", "slow")]
    [Fact]
    public void Model_shorthand_evaluates_a_local_checkpoint_and_charges_compute_time()
    {
        // Made by the CLI: libtorch loaded in the test host can hang the child processes it forks (OpenMP and fork).
        var init = LeverProcess.Run(_dir, "model", "init", "--config", "tiny", "-o", "tiny", "--seed", "3");
        Assert.True(init.ExitCode == 0, init.Stderr);
        Write("lever.yaml", "evals:\n  compute_price_per_hour: 3600\n"); // $1 per second makes compute cost visible
        Write("set.jsonl", "{\"input\":\"hello\",\"expected\":\"x\"}\n{\"input\":\"two words\",\"expected\":\"y\"}\n");
        var r = LeverProcess.Run(_dir, "eval", "--model", "tiny", "--set", "set.jsonl", "--json", "--no-diagnose", "--workspace", _dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var summary = JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("model-tiny", summary.GetProperty("recipe").GetString());
        Assert.Equal(2, summary.GetProperty("completed").GetInt32());
        Assert.True(summary.GetProperty("output_tokens").GetInt64() > 0);
        // Cost is wall time × $1/s: positive and consistent with the measured latencies.
        var cost = summary.GetProperty("cost_usd").GetDouble();
        Assert.InRange(cost, 2 * summary.GetProperty("latency_ms_p50").GetDouble() / 1000 * 0.1, 2 * summary.GetProperty("latency_ms_p95").GetDouble() / 1000 * 1.01);
    }
}
