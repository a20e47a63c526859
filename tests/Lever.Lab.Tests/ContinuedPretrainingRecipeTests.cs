using System.Security.Cryptography;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Pipeline;

namespace Lever.Lab.Tests;

/// <summary>Continued pre-training then the full fine-tune, on a model small enough to train in seconds.</summary>
public sealed class ContinuedPretrainingRecipeTests : IDisposable
{
    private const string Recipe = "local-cpt-full-fine-tune";

    private readonly string _root = SyntheticCorpus.CreateWorkspace(perGroup: 10, extraLab: """
          recipes: [local-full-fine-tune, local-cpt-full-fine-tune]
          llm:
            vocab: 300
            pretrain_chars: 100
            pretrain_steps: 2
            cpt_steps: 3
            fine_tune_steps: 2
            batch_size: 2
            seq_len: 160
            prompt_chars: 80
          compute:
            requests_per_month: 1000
        """);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Lab => Path.Combine(_root, ".lever", "lab");

    private async Task<LabReport> Run()
    {
        var ws = Workspace.Open(_root);
        var config = LabConfiguration.Load(ws);
        return await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Trait("tier", "slow")]
    [Fact]
    public async Task Continues_pretraining_on_the_whole_unlabeled_training_text_then_fine_tunes_and_keeps_a_finished_cpt_when_only_the_fine_tune_reruns()
    {
        var first = await Run();
        Assert.Contains($"train:{Recipe}", first.Ran);
        var row = first.Results.Single(r => r.Name == Recipe);
        Assert.Equal(LeverKind.ContinuedPretraining, row.Lever);
        Assert.Equal(20, row.Metrics.Count);

        // The text is the whole email (no labels, no test email), longer than what pre-training read.
        var cptDir = Path.Combine(Lab, "recipes", Recipe, "cpt");
        var train = JsonLines.Read<LabExample>(Path.Combine(Lab, "data", "train.jsonl"));
        var cptText = JsonLines.Read<System.Text.Json.Nodes.JsonObject>(Path.Combine(Lab, "recipes", Recipe, "cpt-data", "train.jsonl")).Select(o => (string)o["text"]!).ToList();
        Assert.Equal(train.Select(e => e.Text), cptText);
        Assert.Contains(cptText, t => t.Length > 100);

        // Continued pre-training changed the weights, and the fine-tune started from them (not from the base).
        var baseHash = Hash(Path.Combine(Lab, "models", "base", "model.safetensors"));
        var cptHash = Hash(Path.Combine(cptDir, "model.safetensors"));
        Assert.NotEqual(baseHash, cptHash);
        var runConfig = File.ReadAllText(Path.Combine(Lab, "recipes", Recipe, "run", "run.json"));
        Assert.Contains(cptDir, runConfig, StringComparison.Ordinal);

        // Recorded with the stage: the validation accuracy the settings are chosen on, and the forgetting meter.
        var stage = LabManifest.Load(Path.Combine(Lab, "manifest.json")).Stages[$"train:{Recipe}"];
        Assert.InRange(stage.Values["validation_accuracy"], 0.0, 1.0);
        Assert.True(double.IsFinite(stage.Values["cpt_general_loss_before"]) && double.IsFinite(stage.Values["cpt_general_loss_after"]));
        Assert.NotEqual(stage.Values["cpt_general_loss_before"], stage.Values["cpt_general_loss_after"]);
        // Its training time is the tokenizer and pre-training plus its own stage (continued pre-training and fine-tune).
        Assert.True(row.TrainSeconds > stage.Values["train_seconds"]);

        // Nothing changed: everything reused.
        Assert.Empty((await Run()).Ran);

        // The fine-tuned model is lost: the stage re-runs, but the finished continued pre-training is kept as it was.
        Directory.Delete(Path.Combine(Lab, "recipes", Recipe, "model"), recursive: true);
        var cptWritten = File.GetLastWriteTimeUtc(Path.Combine(cptDir, "model.safetensors"));
        var third = await Run();
        Assert.Equal($"train:{Recipe}", third.Ran[0]);
        Assert.DoesNotContain("pretrain", third.Ran);
        Assert.Equal(cptWritten, File.GetLastWriteTimeUtc(Path.Combine(cptDir, "model.safetensors")));
        Assert.Equal(cptHash, Hash(Path.Combine(cptDir, "model.safetensors")));
    }
}
