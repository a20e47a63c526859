using System.Diagnostics;
using System.Text.Json;
using Lever.Registry;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary><c>lever registry</c> and <c>lever audit verify</c> as a user runs them: versions, aliases, gates, tampering, kill -9.</summary>
public sealed class RegistryCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-registry-");

    public void Dispose() => _tmp.Dispose();

    private string Adapter(string dir, string weights)
    {
        _tmp.Write($"{dir}/adapter_config.json", "{\"r\": 8}");
        _tmp.Write($"{dir}/adapter_model.safetensors", weights);
        return dir;
    }

    private LeverProcess.Result Lever(params string[] args) => LeverProcess.Run(_tmp.Root, args);

    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.Clone();

    [Fact]
    public void Two_versions_promote_promote_rollback_and_list_json_shows_the_alias_on_v1_again()
    {
        Assert.Equal(0, Lever("registry", "register", "bot", Adapter("a1", "weights one")).ExitCode);
        var copy = Lever("registry", "register", "bot", Adapter("copies/a1", "weights one"));
        Assert.Equal(0, copy.ExitCode);
        Assert.Contains("bot@v1 already has this content", copy.Stdout);
        Assert.Equal(0, Lever("registry", "register", "bot", Adapter("a2", "weights two")).ExitCode);
        Assert.Equal(0, Lever("registry", "promote", "bot@v1", "--alias", "champion").ExitCode);
        var second = Lever("registry", "promote", "bot@v2");
        Assert.Contains("bot@champion → v2 (was v1)", second.Stdout);
        var back = Lever("registry", "rollback", "bot", "--alias", "champion");
        Assert.True(back.ExitCode == 0, back.Stderr);
        Assert.Contains("bot@champion → v1 (was v2)", back.Stdout);

        var list = Json(Lever("registry", "list", "bot", "--json").Stdout);
        Assert.Equal("bot", list.GetProperty("name").GetString());
        var versions = list.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        Assert.Equal(["version", "kind", "sha256", "aliases", "created", "lineage"], versions[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal((1, "adapter"), (versions[0].GetProperty("version").GetInt32(), versions[0].GetProperty("kind").GetString()));
        Assert.Equal(["champion"], versions[0].GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(versions[1].GetProperty("aliases").EnumerateArray());
        Assert.Equal(64, versions[1].GetProperty("sha256").GetString()!.Length);

        var show = Json(Lever("registry", "show", "bot@champion", "--json").Stdout);
        Assert.Equal(1, show.GetProperty("version").GetInt32());
        Assert.Equal(0, Lever("audit", "verify").ExitCode);

        var dossier = Lever("dossier", "bot@champion", "-o", "out/dossier.html");
        Assert.True(dossier.ExitCode == 0, dossier.Stderr);
        var html = File.ReadAllText(_tmp.Combine("out/dossier.html"));
        Assert.Contains("Technical documentation: bot@v1", html);
        Assert.Contains("@champion rolled back from v2 to v1", html);
        Assert.Equal(2, Lever("dossier", "bot@v1", "-o", "dossier.txt").ExitCode);
    }

    [Fact]
    public void Unknown_references_and_colon_separators_are_refused_with_a_hint()
    {
        Lever("registry", "register", "bot", Adapter("a1", "w"));
        var colon = Lever("registry", "show", "bot:v1");
        Assert.Equal(2, colon.ExitCode);
        Assert.Contains("no artifact named 'bot:v1'", colon.Stderr);
        var missing = Lever("registry", "show", "bot@v7");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("bot has versions v1..v1", missing.Stderr);
        var noAlias = Lever("registry", "show", "bot@champion");
        Assert.Equal(2, noAlias.ExitCode);
        Assert.Contains("lever registry promote bot@v1 --alias champion", noAlias.Stderr);
    }

    [Fact]
    public void Tampering_with_a_line_or_cutting_the_tail_makes_audit_verify_exit_2_naming_the_line()
    {
        Lever("registry", "register", "bot", Adapter("a1", "1"));
        Lever("registry", "register", "bot", Adapter("a2", "2"));
        Lever("registry", "promote", "bot@v2");
        var log = _tmp.Combine(".lever/audit.jsonl");
        var lines = File.ReadAllLines(log);
        Assert.Equal(3, lines.Length);

        File.WriteAllLines(log, [lines[0].Replace("\"version\":1", "\"version\":9", StringComparison.Ordinal), lines[1], lines[2]]);
        var changed = Lever("audit", "verify");
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains("audit.jsonl:2: its prev does not match the SHA-256 of line 1", changed.Stderr);

        File.WriteAllLines(log, lines[..2]);
        var cut = Lever("audit", "verify");
        Assert.Equal(2, cut.ExitCode);
        Assert.Contains("audit.jsonl:3: missing: registry.db records 3 lines but the log has 2", cut.Stderr);

        File.WriteAllLines(log, lines);
        Assert.Equal(0, Lever("audit", "verify").ExitCode);
    }

    /// <summary>kill -9 at each injected point of a change: the chain stays intact and the registry equals a replay of the log.</summary>
    [Theory]
    [InlineData("before-commit", false)]
    [InlineData("after-commit", true)]
    [InlineData("before-fsync", true)]
    [InlineData("after-fsync", true)]
    public void A_kill_9_at_each_point_of_a_change_leaves_an_intact_chain_that_replays_to_the_registry(string point, bool committed)
    {
        Assert.Equal(0, Lever("registry", "register", "bot", Adapter("a1", "1")).ExitCode);
        Assert.Equal(0, Lever("registry", "promote", "bot@v1").ExitCode);
        Adapter("a2", "2");

        foreach (var args in new[] { new[] { "registry", "register", "bot", "a2" }, ["registry", "promote", "bot@v2"] })
        {
            if (!committed && args[1] == "promote") break; // v2 does not exist when its registration died before the commit
            var start = LeverProcess.StartInfo(_tmp.Root, args);
            start.Environment[CrashPointVariable] = point;
            using var p = Process.Start(start)!;
            p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(60_000));
            Assert.Equal(137, p.ExitCode); // SIGKILL

            var verify = Lever("audit", "verify");
            Assert.True(verify.ExitCode == 0, $"{point} {string.Join(' ', args)}: {verify.Stderr}");
            var ws = global::Lever.Core.Workspace.Open(_tmp.Root);
            using var registry = ArtifactRegistry.Open(ws);
            Assert.Null(registry.State().Difference(AuditLog.Replay(AuditLog.Read(AuditLog.PathOf(ws)))));
        }
        var list = Json(Lever("registry", "list", "bot", "--json").Stdout).GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(committed ? 2 : 1, list.Count);
        Assert.Equal(committed ? 2 : 1, list.Single(v => v.GetProperty("aliases").GetArrayLength() > 0).GetProperty("version").GetInt32());
        Assert.Equal(committed ? 4 : 2, File.ReadAllLines(_tmp.Combine(".lever/audit.jsonl")).Length);
    }

    private const string CrashPointVariable = "LEVER_REGISTRY_CRASH_AT";

    /// <summary>Answers with the question's words reversed when the system prompt says GOOD, else echoes them (wrong under exact scoring).</summary>
    private static ScriptedChatClient RecipeSensitiveModel() => new(messages =>
    {
        var words = ScriptedChatClient.Words(ScriptedChatClient.LastUser(messages));
        var good = messages.Any(m => m.Role == ChatRole.System && m.Text.Contains("GOOD", StringComparison.Ordinal));
        return string.Join(' ', good ? words.Reverse() : words);
    });

    [Fact]
    public async Task A_gate_the_candidate_fails_refuses_with_the_numbers_exit_2_and_leaves_the_alias()
    {
        await using var server = OpenAiServer.Create(RecipeSensitiveModel(), null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: m\n    max_retries: 0\ngate:\n  tolerance_points: 5\n");
        _tmp.Write("recipes/good.yaml", "provider: srv\nsystem_prompt: GOOD reverse the words.\nscoring:\n  scorers: [exact]\n");
        _tmp.Write("recipes/bad.yaml", "provider: srv\nsystem_prompt: Repeat the words.\nscoring:\n  scorers: [exact]\n");
        _tmp.Write("gate.jsonl", string.Join('\n', Enumerable.Range(1, 10).Select(i => $"{{\"id\":\"q{i}\",\"input\":\"a{i} b c\",\"expected\":\"c b a{i}\"}}")) + "\n");
        Assert.Equal(0, Lever("registry", "register", "triage", "recipes/good.yaml").ExitCode);
        Assert.Equal(0, Lever("registry", "register", "triage", "recipes/bad.yaml").ExitCode);

        var first = Lever("registry", "promote", "triage@v1", "--gate", "gate.jsonl");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("accuracy 100%; no current holder", first.Stdout);

        var refused = Lever("registry", "promote", "triage@v2", "--gate", "gate.jsonl");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("accuracy 0% vs 100% for triage@v1: 100 points worse, tolerance 5", refused.Stderr);
        Assert.Contains("triage@champion stays on triage@v1", refused.Stderr);
        var show = Json(Lever("registry", "show", "triage@champion", "--json").Stdout);
        Assert.Equal(1, show.GetProperty("version").GetInt32());
        // The gate's runs are attached to the versions they measured, and the refusal is in the audit trail with its numbers.
        Assert.Equal(1.0, show.GetProperty("evals")[0].GetProperty("score").GetDouble());
        var last = JsonDocument.Parse(File.ReadAllLines(_tmp.Combine(".lever/audit.jsonl"))[^1]).RootElement;
        Assert.Equal("promote_refused", last.GetProperty("event").GetString());
        Assert.Equal(-100, last.GetProperty("gate").GetProperty("delta_points").GetDouble());
        Assert.Equal(0, Lever("audit", "verify").ExitCode);
    }
}
