using System.Text.Json;
using Lever.Server;

namespace Lever.Cli.Tests;

/// <summary><c>lever drift</c> on an unchanged set (exit 0) and on sets with planted shifts (exit 3), against a real server on 127.0.0.1.</summary>
public sealed class DriftCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-drift-");

    public void Dispose() => _tmp.Dispose();

    private LeverProcess.Result Lever(params string[] args) => LeverProcess.Run(_tmp.Root, args);

    /// <summary>Says billing when the ticket mentions an invoice, else tech.</summary>
    private static ScriptedChatClient TriageModel() => new(messages => ScriptedChatClient.LastUser(messages).Contains("invoice", StringComparison.Ordinal) ? "billing" : "tech");

    private static string Line(string input, string expected) => JsonSerializer.Serialize(new { input, expected });

    private static Dictionary<string, JsonElement> Checks(string stdout) =>
        JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("check").GetString()!, c => c.Clone());

    [Fact]
    public async Task An_unchanged_set_exits_0_and_planted_quality_label_length_and_vocabulary_shifts_exit_3()
    {
        await using var server = OpenAiServer.Create(TriageModel(), new WordHashEmbedder(64, ScriptedChatClient.Words), new ServerOptions { Port = 0 });
        await server.StartAsync();
        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: m\n    embedding_model: e\n    max_retries: 0\n");
        _tmp.Write("recipes/triage.yaml", "provider: srv\nsystem_prompt: Answer billing or tech.\nscoring:\n  scorers: [exact]\n");
        var gate = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? Line($"my invoice {i} is wrong", "billing") : Line($"the screen {i} stays dark", "tech")).ToList();
        _tmp.Write("gate.jsonl", string.Join('\n', gate) + "\n");
        _tmp.Write("recent.jsonl", string.Join('\n', gate.AsEnumerable().Reverse()) + "\n");
        Assert.Equal(0, Lever("registry", "register", "triage", "recipes/triage.yaml").ExitCode);
        Assert.Equal(0, Lever("registry", "promote", "triage@v1", "--gate", "gate.jsonl").ExitCode);

        var same = Lever("drift", "triage@champion", "--set", "gate.jsonl", "--inputs", "recent.jsonl", "--json");
        Assert.True(same.ExitCode == 0, same.Stdout + same.Stderr);
        var ok = Checks(same.Stdout);
        Assert.Equal(1.0, ok["quality"].GetProperty("registered").GetDouble());
        Assert.Equal(1.0, ok["quality"].GetProperty("now").GetDouble());
        Assert.Equal(0, ok["length_psi"].GetProperty("value").GetDouble(), 9);
        Assert.Equal(0, ok["label_psi"].GetProperty("value").GetDouble(), 9);
        Assert.Equal(0, ok["embedding_centroid"].GetProperty("value").GetDouble(), 6);
        Assert.All(ok.Values, c => Assert.False(c.GetProperty("drifted").GetBoolean()));

        // Planted shifts: refunds the model sends to tech (quality), all-tech labels, ten times longer texts in other words.
        _tmp.Write("shifted-set.jsonl", string.Join('\n', Enumerable.Range(0, 20).Select(i => Line($"refund {i} please", "billing"))) + "\n");
        _tmp.Write("shifted-inputs.jsonl", string.Join('\n', Enumerable.Range(0, 20).Select(i =>
            Line(string.Join(' ', Enumerable.Repeat($"kernel panic after firmware upgrade {i} on the docking station", 4)), "tech"))) + "\n");
        var shifted = Lever("drift", "triage@champion", "--set", "shifted-set.jsonl", "--inputs", "shifted-inputs.jsonl", "--reference", "gate.jsonl", "--json");
        Assert.Equal(3, shifted.ExitCode);
        var bad = Checks(shifted.Stdout);
        Assert.Equal(0.0, bad["quality"].GetProperty("now").GetDouble());
        Assert.All(new[] { "quality", "length_psi", "label_psi", "embedding_centroid" }, k => Assert.True(bad[k].GetProperty("drifted").GetBoolean(), k));
        Assert.True(bad["length_psi"].GetProperty("value").GetDouble() > 0.2);

        // The checks are in the audit trail, which stays intact.
        var events = File.ReadAllLines(_tmp.Combine(".lever/audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()).ToList();
        Assert.Equal(2, events.Count(e => e == "drift_check"));
        Assert.Equal(0, Lever("audit", "verify").ExitCode);
    }
}
