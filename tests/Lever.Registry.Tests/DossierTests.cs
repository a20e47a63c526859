using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry;

namespace Lever.Registry.Tests;

/// <summary>The dossier: Annex IV headings, recorded numbers where the registry has them, "not recorded" everywhere else.</summary>
public sealed class DossierTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-dossier-");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Recorded_fields_carry_the_numbers_and_every_other_field_says_not_recorded()
    {
        _tmp.Write("lever.yaml", "purpose: Sort inbound support email into queues.\nworkload:\n  task:\n    kind: classification\n    classes: 3\n");
        _tmp.Write("data/train.jsonl", "{\"prompt\":\"a\",\"completion\":\"b\"}\n");
        _tmp.Write("a/adapter_config.json", "{}");
        _tmp.Write("a/adapter_model.safetensors", "w");
        var ws = Workspace.Open(_tmp.Root);
        using var registry = ArtifactRegistry.Open(ws);
        var data = registry.Register("train", _tmp.Combine("data/train.jsonl"), ArtifactKind.Dataset).Version;
        var lineage = new JsonObject
        {
            ["source"] = "lever train", ["method"] = "lora", ["seed"] = 7,
            ["dataset"] = new JsonObject { ["reference"] = data.Reference, ["sha256"] = data.Sha256, ["path"] = data.Path },
            ["training"] = new JsonObject { ["general_loss_before"] = 2.0, ["general_loss_after"] = 2.03, ["train_loss"] = 1.5, ["val_loss"] = 1.6, ["base_val_loss"] = 2.2, ["steps"] = 10, ["stop"] = "completed" },
        };
        var v = registry.Register("bot", _tmp.Combine("a"), ArtifactKind.Adapter, lineage).Version;
        registry.AttachEval(v, new JsonObject { ["source"] = "gate", ["run"] = "r1", ["set"] = "/x/gate.jsonl", ["metric"] = "accuracy", ["score"] = 0.875, ["ci"] = new JsonArray(0.8, 0.95), ["items"] = 40 });
        registry.Promote(v, "champion", new JsonObject { ["set"] = "/x/gate.jsonl", ["decision"] = "promote", ["reasons"] = new JsonArray("accuracy 87.5%; no current holder to compare with") });

        var dossier = Dossier.Build(registry, registry.Resolve(ArtifactReference.Parse("bot@champion")), new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc));
        var md = dossier.ToMarkdown();
        foreach (var heading in new[] { "## 1. General description", "## 2. Elements of the AI system", "## 3. Monitoring, functioning and control", "## 4. Appropriateness of the performance metrics",
                     "## 5. Risk management system", "## 6. Changes through the lifecycle", "## 7. Harmonised standards", "## 8. EU declaration of conformity", "## 9. Post-market monitoring plan",
                     "## Record-keeping (Article 12)", "## What a human must still add" })
            Assert.Contains(heading, md);
        Assert.Contains("| Intended purpose (1(a)) | Sort inbound support email into queues. (lever.yaml `purpose:`) |", md);
        Assert.Contains("| Task | classification, 3 classes (lever.yaml workload.task) |", md);
        Assert.Contains("accuracy 87.5% (95% CI 80%–95%", md);
        Assert.Contains("2 → 2.03 nats (+0.0300); gate budget 0.05", md);
        Assert.Contains($"train@v1: {data.Path}, sha256 {data.Sha256}", md);
        Assert.Contains("| Seeds | training seed 7 |", md);
        Assert.Contains("v1 promoted to @champion — gate on gate.jsonl: promote; accuracy 87.5%", md);
        Assert.Contains("| Provider (1(a)) | *not recorded* |", md);
        // Every unrecorded field is listed for a human, once.
        var listed = md[md.IndexOf("## What a human must still add", StringComparison.Ordinal)..].Split('\n').Count(l => l.StartsWith("- ", StringComparison.Ordinal));
        Assert.Equal(dossier.NotRecordedCount, listed);
        Assert.Equal(md.Split("*not recorded*").Length - 1, dossier.NotRecordedCount);
        var html = dossier.ToHtml();
        Assert.StartsWith("<!doctype html>", html);
        Assert.Contains("<td class=\"nr\">not recorded</td>", html);
        Assert.Contains("Sort inbound support email into queues.", html);
    }
}
