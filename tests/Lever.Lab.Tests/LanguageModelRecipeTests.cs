using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Lab.Tests;

/// <summary>The LLM recipes' plumbing on a model small enough to train in seconds: tokenizer, pre-training, LoRA, scoring, reuse.</summary>
public sealed class LanguageModelRecipeTests : IDisposable
{
    private readonly string _root = SyntheticCorpus.CreateWorkspace(perGroup: 10, extraLab: $"""
          recipes: [local-zero-shot, local-lora]
        {SyntheticCorpus.TinyLlm("lora_rank: 2")}
          compute:
            requests_per_month: 1000
        """);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<LabReport> Run()
    {
        var ws = Workspace.Open(_root);
        var config = LabConfiguration.Load(ws);
        return await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Zero_shot_and_LoRA_run_on_a_model_pretrained_in_the_lab_and_are_reused_on_a_rerun()
    {
        var first = await Run();
        Assert.Equal(["data", "tokenizer", "pretrain", "train:local-zero-shot", "eval:local-zero-shot", "train:local-lora", "eval:local-lora", "report"], first.Ran);
        var byName = first.Results.ToDictionary(r => r.Name);
        Assert.Equal(LeverKind.Prompt, byName["local-zero-shot"].Lever);
        Assert.Equal(LeverKind.FineTuneLora, byName["local-lora"].Lever);
        foreach (var r in first.Results)
        {
            Assert.Equal(20, r.Metrics.Count); // every test email answered with a valid label
            Assert.DoesNotContain(Metrics.ClassificationMetricsOther, r.Metrics.Columns);
            Assert.True(r.LatencyMsP50 > 0);
        }
        // Pre-training is part of every local recipe's training time; LoRA adds its own on top.
        Assert.True(byName["local-zero-shot"].TrainSeconds > 0);
        Assert.True(byName["local-lora"].TrainSeconds > byName["local-zero-shot"].TrainSeconds);
        Assert.True(File.Exists(Path.Combine(_root, ".lever", "lab", "recipes", "local-lora", "model", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(_root, ".lever", "lab", "models", "base", "model.safetensors")));

        var summary = JsonNode.Parse(File.ReadAllText(first.SummaryPath))!;
        Assert.Equal(2, summary["recipes"]!.AsArray().Count);

        var second = await Run();
        Assert.Empty(second.Ran);
        Assert.Equal(first.Results.Select(r => r.Metrics.Accuracy), second.Results.Select(r => r.Metrics.Accuracy));
    }

    private static class Metrics
    {
        public const string ClassificationMetricsOther = Evals.Scoring.ClassificationReport.Invalid;
    }
}
