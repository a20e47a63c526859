using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry;

namespace Lever.Registry.Tests;

/// <summary>Versions, content addressing, aliases and rollback in a real registry.db, and the audit chain each change extends.</summary>
public sealed class RegistryTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-registry-");

    public void Dispose() => _tmp.Dispose();

    private Workspace Ws => Workspace.Open(_tmp.Root);

    private string Adapter(string dir, string weights)
    {
        _tmp.Write($"{dir}/adapter_config.json", "{\"r\": 8}");
        _tmp.Write($"{dir}/adapter_model.safetensors", weights);
        return _tmp.Combine(dir);
    }

    [Fact]
    public void A_copy_at_another_path_is_the_same_version_and_run_logs_and_optimizer_state_do_not_count()
    {
        var a = Adapter("runs/a", "weights-1");
        _tmp.Write("runs/a/metrics.jsonl", "{\"step\":1}\n");
        _tmp.Write("runs/a/checkpoints/step-50/optimizer.pt", "adam moments");
        _tmp.Write("runs/a/run.json", "{\"Output\":\"/somewhere/a\"}");
        var copy = Adapter("elsewhere/copy", "weights-1");
        using var registry = ArtifactRegistry.Open(Ws);
        var (v1, created1) = registry.Register("bot", a, ArtifactKind.Adapter);
        var (again, created2) = registry.Register("bot", copy, ArtifactKind.Adapter);
        var (v2, created3) = registry.Register("bot", Adapter("runs/b", "weights-2"), ArtifactKind.Adapter);
        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal((1, 1), (v1.Version, again.Version));
        Assert.Equal(v1.Sha256, again.Sha256);
        Assert.True(created3);
        Assert.Equal(2, v2.Version);
        Assert.NotEqual(v1.Sha256, v2.Sha256);
        // The hash is SHA-256 over "relative path\tfile hash\n" lines, sorted: computed independently here.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"adapter_config.json\t{ContentHash.HashFile(Path.Combine(a, "adapter_config.json"))}\nadapter_model.safetensors\t{ContentHash.HashFile(Path.Combine(a, "adapter_model.safetensors"))}\n")));
        Assert.Equal(expected, v1.Sha256);
        Assert.Equal(2, v1.Lineage["files"]!.GetValue<int>());
    }

    [Fact]
    public void A_single_file_hashes_by_content_only_and_a_name_keeps_its_kind()
    {
        var one = _tmp.Write("data/train.jsonl", "{\"text\":\"a\"}\n");
        var renamed = _tmp.Write("other/renamed.jsonl", "{\"text\":\"a\"}\n");
        Assert.Equal(ContentHash.Compute(one, ArtifactKind.Dataset).Sha256, ContentHash.Compute(renamed, ArtifactKind.Dataset).Sha256);
        using var registry = ArtifactRegistry.Open(Ws);
        registry.Register("train", one, ArtifactKind.Dataset);
        var ex = Assert.Throws<LeverUserException>(() => registry.Register("train", Adapter("x", "w"), ArtifactKind.Adapter));
        Assert.Contains("already registered as a dataset", ex.Message);
    }

    [Theory]
    [InlineData("bot@v2", "bot", 2, null)]
    [InlineData("bot@champion", "bot", null, "champion")]
    [InlineData("llama3:8b@v1", "llama3:8b", 1, null)]
    [InlineData("ft:gpt-4o:acme@challenger", "ft:gpt-4o:acme", null, "challenger")]
    [InlineData("bot", "bot", null, null)]
    public void References_use_at_and_never_colon(string text, string name, int? version, string? alias)
    {
        var r = ArtifactReference.Parse(text);
        Assert.Equal((name, version, alias), (r.Name, r.Version, r.Alias));
        Assert.Equal(text, r.ToString());
    }

    [Theory]
    [InlineData("bot@")]
    [InlineData("@v1")]
    [InlineData("bot@1x")]
    [InlineData("a/b@v1")]
    public void A_malformed_reference_is_a_user_error(string text) => Assert.Throws<LeverUserException>(() => ArtifactReference.Parse(text));

    [Fact]
    public void Promote_then_promote_then_rollback_returns_the_alias_and_each_step_is_a_chained_audit_line()
    {
        using (var registry = ArtifactRegistry.Open(Ws))
        {
            var v1 = registry.Register("bot", Adapter("a", "1"), ArtifactKind.Adapter).Version;
            var v2 = registry.Register("bot", Adapter("b", "2"), ArtifactKind.Adapter).Version;
            registry.Promote(v1, "champion");
            registry.Promote(v2, "champion", new JsonObject { ["decision"] = "promote", ["delta_points"] = 2.5 });
            Assert.Equal(2, registry.Resolve(ArtifactReference.Parse("bot@champion")).Version);
            Assert.Equal((2, 1), registry.Rollback("bot", "champion"));
            Assert.Equal(1, registry.Resolve(ArtifactReference.Parse("bot@champion")).Version);
            Assert.Equal(["champion"], registry.List("bot")[0].Aliases);
            var ex = Assert.Throws<LeverUserException>(() => registry.Rollback("bot", "champion"));
            Assert.Contains("nothing to roll back to", ex.Message);
            Assert.Null(registry.State().Difference(AuditLog.Replay(AuditLog.Read(registry.AuditPath))));
        }
        var lines = File.ReadAllLines(AuditLog.PathOf(Ws));
        Assert.Equal(5, lines.Length);
        var events = lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["register", "register", "promote", "promote", "rollback"], events.Select(e => e["event"]!.GetValue<string>()));
        Assert.Equal(AuditLog.ZeroHash, events[0]["prev"]!.GetValue<string>());
        for (int i = 1; i < lines.Length; i++) Assert.Equal(AuditLog.HashLine(lines[i - 1]), events[i]["prev"]!.GetValue<string>());
        Assert.Equal(2.5, events[3]["gate"]!["delta_points"]!.GetValue<double>());
        Assert.Equal(Environment.UserName, events[0]["who"]!.GetValue<string>());
        Assert.True(AuditLog.Verify(Ws).Intact);
    }

    [Fact]
    public void Changing_any_line_or_cutting_the_tail_is_caught_with_the_line_number()
    {
        using (var registry = ArtifactRegistry.Open(Ws))
        {
            var v1 = registry.Register("bot", Adapter("a", "1"), ArtifactKind.Adapter).Version;
            registry.Register("bot", Adapter("b", "2"), ArtifactKind.Adapter);
            registry.Promote(v1, "champion");
            registry.RecordEvent("training_run", new JsonObject { ["steps"] = 3 });
        }
        var path = AuditLog.PathOf(Ws);
        var original = File.ReadAllLines(path);
        Assert.Equal(AuditVerification.Ok(4), AuditLog.Verify(Ws));

        for (int i = 0; i < original.Length; i++)
        {
            var tampered = (string[])original.Clone();
            tampered[i] = tampered[i].Replace("\"who\":", "\"who\": ", StringComparison.Ordinal);
            File.WriteAllLines(path, tampered);
            var r = AuditLog.Verify(Ws);
            Assert.False(r.Intact);
            // A changed line breaks the next line's prev; the last line is caught by the head hash registry.db holds.
            Assert.Equal(i < original.Length - 1 ? i + 2 : i + 1, r.BrokenLine);
        }

        File.WriteAllLines(path, original[..3]);
        var cut = AuditLog.Verify(Ws);
        Assert.Equal(4, cut.BrokenLine);
        Assert.Contains("records 4 lines but the log has 3", cut.Problem);

        File.WriteAllLines(path, original[1..]);
        Assert.Equal(1, AuditLog.Verify(Ws).BrokenLine);

        File.WriteAllLines(path, original);
        Assert.True(AuditLog.Verify(Ws).Intact);
    }

    [Fact]
    public void Evaluations_attach_to_the_version_they_measured()
    {
        using var registry = ArtifactRegistry.Open(Ws);
        var v = registry.Register("bot", Adapter("a", "1"), ArtifactKind.Adapter).Version;
        registry.AttachEval(v, new JsonObject { ["metric"] = "accuracy", ["score"] = 0.9 });
        Assert.Equal(0.9, registry.Evals(v).Single()["score"]!.GetValue<double>());
        Assert.Equal(1, registry.State().Evals);
        Assert.Equal(1, AuditLog.Replay(AuditLog.Read(registry.AuditPath)).Evals);
    }
}
