using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Engine.Gguf;
using Lever.Lab.Recipes.Local;
using Lever.Providers;
using Lever.Providers.LlamaCpp;

namespace Lever.Lab.Tests;

/// <summary>
/// <c>lab.inference</c>: the same tiny lab scored on the engine, then on llama.cpp over F32 and Q8_0 GGUF exports of its
/// models — only the evaluation stages re-run, the answers agree with the engine's, and summary.json says what ran.
/// </summary>
public sealed class LabInferenceTests : IDisposable
{
    private static readonly string Lab = $"""
          recipes: [baseline-logreg, local-zero-shot, local-lora]
        {SyntheticCorpus.TinyLlm("lora_rank: 2")}
          compute:
            requests_per_month: 1000
        """;

    private readonly string _root = SyntheticCorpus.CreateWorkspace(perGroup: 10, extraLab: Lab);
    private readonly string _yaml;

    public LabInferenceTests() => _yaml = File.ReadAllText(Path.Combine(_root, "lever.yaml"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ProviderConnection Connection(string root) => new() { BaseDirectory = root, GetEnvironment = _ => null, Backends = ProviderBackends.Http.With(new LlamaCppBackend()) };

    // What the CLI's GgufFiles does: f32 by the engine's exporter, q8_0 by llama.cpp's quantizer over an F32 export.
    private static void Export(string model, string gguf, string type)
    {
        if (type == "f32")
        {
            GgufExporter.Export(model, gguf, type);
            return;
        }
        var f32 = gguf + ".f32";
        GgufExporter.Export(model, f32, "f32");
        GgufQuantizer.Quantize(f32, gguf, type);
        File.Delete(f32);
    }

    private async Task<LabReport> Run(string? inference = null)
    {
        File.WriteAllText(Path.Combine(_root, "lever.yaml"), inference is null ? _yaml : _yaml.Replace("  compute:\n", $"  inference: {inference}\n  compute:\n", StringComparison.Ordinal));
        var ws = Workspace.Open(_root);
        var config = LabConfiguration.Load(ws);
        return await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance)
        {
            Inference = new LabInference(config.Options.Inference, Connection(_root), Export),
        }.RunAsync(CancellationToken.None);
    }

    [Fact]
    [Trait("tier", "slow")]   // four lab runs: 28 s under load 20
    public async Task Switching_the_backend_re_measures_the_model_rows_only_and_llama_cpp_F32_answers_as_the_engine()
    {
        var engine = await Run();
        var lab = Path.Combine(_root, ".lever", "lab");
        var engineSummary = JsonNode.Parse(File.ReadAllText(engine.SummaryPath))!;
        Assert.Equal("engine", engineSummary["inference"]!["backend"]!.GetValue<string>());
        Assert.Equal("engine", Row(engineSummary, "local-lora")["inference_backend"]!.GetValue<string>());
        Assert.Null(Row(engineSummary, "baseline-logreg")["inference_backend"]);

        var f32 = await Run("{backend: llamacpp, quantization: f32}");
        Assert.Equal(["eval:local-zero-shot", "eval:local-lora", "report"], f32.Ran);   // nothing retrained, the baseline kept
        Assert.True(File.Exists(Path.Combine(lab, "models", "base", "model.f32.gguf")));
        Assert.True(File.Exists(Path.Combine(lab, "recipes", "local-lora", "model", "model.f32.gguf")));
        foreach (var r in engine.Results)
        {
            var same = f32.Results.Single(x => x.Name == r.Name);
            Assert.Equal(r.Metrics.Accuracy, same.Metrics.Accuracy);
            Assert.Equal(r.Outcomes.Keys.Order(), same.Outcomes.Keys.Order());
        }
        var summary = JsonNode.Parse(File.ReadAllText(f32.SummaryPath))!;
        Assert.Equal("llamacpp", summary["inference"]!["backend"]!.GetValue<string>());
        Assert.Equal("f32", Row(summary, "local-zero-shot")["inference_quantization"]!.GetValue<string>());

        var q8 = await Run("{backend: llamacpp, quantization: q8_0}");
        Assert.Equal(["eval:local-zero-shot", "eval:local-lora", "report"], q8.Ran);
        Assert.True(new FileInfo(Path.Combine(lab, "models", "base", "model.q8_0.gguf")).Length < new FileInfo(Path.Combine(lab, "models", "base", "model.f32.gguf")).Length);
        Assert.Equal("q8_0", Row(JsonNode.Parse(File.ReadAllText(q8.SummaryPath))!, "local-lora")["inference_quantization"]!.GetValue<string>());
        Assert.Empty((await Run("{backend: llamacpp, quantization: q8_0}")).Ran);   // the same settings again: every stage reused
    }

    [Fact]
    public void Label_log_probabilities_on_llama_cpp_F32_match_the_engines()
    {
        var model = Path.Combine(_root, "tiny");
        Engine.Checkpoints.ModelInitializer.Create("tiny", model, seed: 7);
        var inference = new LabInference(new LabInferenceOptions { Backend = LabInferenceOptions.LlamaCppBackend }, Connection(_root), Export);
        using var torch = new LabelScorer(model, ["ham", "spam"], 80, 148);
        using var llama = new LabelScorer(model, ["ham", "spam"], 80, 148, backend: inference.OpenScorer(model));
        foreach (var prompt in new[] { "Subject: free money\n\nclick now\nLabel:", "Subject: patch review\n\nthe kernel build\nLabel:", "N/A\nLabel:" })
        {
            var theirs = torch.LogProbabilities(prompt);
            var ours = llama.LogProbabilities(prompt);
            for (var i = 0; i < 2; i++)
                Assert.True(Math.Abs(ours[i] - theirs[i]) < 1e-3 * Math.Max(1, Math.Abs(theirs[i])), $"{prompt}: label {i}: llama.cpp {ours[i]:F5}, engine {theirs[i]:F5}");
            Assert.True(theirs.All(v => v < 0 && double.IsFinite(v)));
        }
    }

    [Fact]
    public void Llama_cpp_without_the_programs_backend_is_a_user_error_naming_the_setting()
    {
        var inference = new LabInference(new LabInferenceOptions { Backend = LabInferenceOptions.LlamaCppBackend });
        var ex = Assert.Throws<LeverUserException>(() => inference.OpenScorer(_root));
        Assert.StartsWith("lab.inference.backend: llamacpp", ex.Message);
        Assert.Equal("", LabInference.Engine.Fingerprint);
    }

    private static JsonNode Row(JsonNode summary, string name) => summary["recipes"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == name)!;
}
