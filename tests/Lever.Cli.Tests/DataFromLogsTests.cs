using System.Text.Json;

namespace Lever.Cli.Tests;

/// <summary><c>lever data from-logs</c>: a window of the request log as a training file, filtered and de-duplicated, checked by <c>lever data validate</c>.</summary>
public sealed class DataFromLogsTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-fromlogs-");

    public void Dispose() => _tmp.Dispose();

    private static string Line(string time, string model, string question, string answer) =>
        JsonSerializer.Serialize(new
        {
            time, identity = "team-a", model, prompt_tokens = 1, completion_tokens = 1, ms = 1.0, stream = false, cost_usd = (double?)null,
            messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = question } }, answer, redacted = new[] { "email" },
        }) + "\n";

    [Fact]
    public void A_day_window_of_one_model_becomes_chat_training_examples_that_validate()
    {
        _tmp.WriteLeverYaml("lab: {}\n");
        _tmp.Write(".lever/server/requests/2026-11-30.jsonl", Line("2026-11-30T09:00:00.000Z", "m", "too early", "x"));
        _tmp.Write(".lever/server/requests/2026-12-01.jsonl",
            Line("2026-12-01T09:00:00.000Z", "m", "Reset my password", "Use the account page.")
            + Line("2026-12-01T09:05:00.000Z", "m", "Reset my password", "Use the account page.")
            + Line("2026-12-01T09:06:00.000Z", "other", "Hi", "Hello.")
            + Line("2026-12-01T09:07:00.000Z", "m", "Empty?", "  "));
        _tmp.Write(".lever/server/requests/2026-12-02.jsonl", Line("2026-12-02T09:00:00.000Z", "m", "Where is [email]'s invoice?", "In billing."));
        var r = LeverProcess.Run(_tmp.Root, "data", "from-logs", "--since", "2026-12-01", "--model", "m", "-o", _tmp.Combine("train.jsonl"), "--workspace", _tmp.Root);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("read 5 logged requests; kept 2 (1 filtered out, 1 without a user message or answer, 1 duplicates dropped)", r.Stdout, StringComparison.Ordinal);
        var rows = File.ReadAllLines(_tmp.Combine("train.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("messages")).ToList();
        Assert.Equal(["system", "user", "assistant"], rows[0].EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Use the account page.", rows[0][2].GetProperty("content").GetString());
        Assert.Equal("Where is [email]'s invoice?", rows[1][1].GetProperty("content").GetString());
        var validate = LeverProcess.Run(_tmp.Root, "data", "validate", _tmp.Combine("train.jsonl"), "--json");
        Assert.Equal(0, validate.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(validate.Stdout).RootElement.GetProperty("valid").GetInt32());

        var bad = LeverProcess.Run(_tmp.Root, "data", "from-logs", "--since", "1 Dec", "-o", _tmp.Combine("x.jsonl"), "--workspace", _tmp.Root);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--since 1 Dec: not a date", bad.Stderr, StringComparison.Ordinal);
        var none = LeverProcess.Run(_tmp.Root, "data", "from-logs", "--model", "absent", "-o", _tmp.Combine("x.jsonl"), "--workspace", _tmp.Root);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no request left to write (6 read, 6 filtered out", none.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_tmp.Combine("x.jsonl")));
    }
}
