using System.Diagnostics;
using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Engine.Gguf;
using Lever.Training.Lora;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>
/// The independent check of the LoRA maths: llama.cpp applies Lever's adapter (exported as a GGUF LoRA adapter)
/// to Lever's base model (exported by the engine) and must produce Lever's logits within 1e-3.
/// </summary>
public sealed class LlamaCppAdapterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Llama_cpp_applies_the_exported_adapter_and_matches_levers_logits(bool rsLora)
    {
        using var tmp = new TempWorkspace("lever-train-test");
        using var scope = NewDisposeScope();
        var baseDir = RunTests.MakeBase(tmp);
        var baseGguf = tmp.Combine("base.gguf");
        GgufExporter.Export(baseDir, baseGguf);

        // 1) an adapter on every projection with weights big enough to move the logits clearly
        var options = new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0, UseRsLora = rsLora };
        using var model = HfCheckpoint.Load(baseDir);
        LoraInjector.Inject(model, options, seed: 5);
        using (no_grad())
        {
            var g = new Generator(6);
            foreach (var (_, layer) in LoraInjector.LoraLayers(model)) layer.B("default").weight!.normal_(0, 0.5, g);
        }
        model.eval();
        PeftAdapter.Save(tmp.Combine("adapter"), model, options, baseDir);
        var adapterGguf = tmp.Combine("adapter.gguf");
        Assert.Equal(2 * 7 * 2, GgufAdapterExporter.Export(tmp.Combine("adapter"), baseDir, adapterGguf));

        // 2) Lever's logits after each prompt, with the adapter active and without
        int[][] prompts = [[1, 70, 71, 72, 73, 74], [1, 100, 33, 200, 5, 9, 42, 42, 17]];
        var vocab = model.Config.VocabSize;
        float[] Last(int[] prompt)
        {
            using var s = NewDisposeScope();
            using var noGrad = no_grad();
            return model.call(tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0))[0, -1].data<float>().ToArray();
        }
        var ours = prompts.Select(Last).ToArray();
        LoraInjector.SetActiveAdapter(model, null);
        var oursBase = prompts.Select(Last).ToArray();

        // 3) llama.cpp's
        var oracle = RunOracle(baseGguf, adapterGguf, new { vocabSize = vocab, prompts });
        for (int p = 0; p < prompts.Length; p++)
        {
            var baseDiff = oursBase[p].Zip(oracle.Base[p], (a, b) => Math.Abs(a - b)).Max();
            var diff = ours[p].Zip(oracle.Adapted[p], (a, b) => Math.Abs(a - b)).Max();
            var effect = ours[p].Zip(oursBase[p], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(baseDiff < 1e-3, $"prompt {p}: base logits differ by {baseDiff:g3}");
            Assert.True(effect > 0.05, $"prompt {p}: the adapter moves logits by only {effect:g3}; the check would prove little");
            Assert.True(diff < 1e-3, $"prompt {p}: adapted logits differ by {diff:g3} (adapter moves them by {effect:g3})");
        }
    }

    private sealed record OracleOutput(float[][] Base, float[][] Adapted);

    private static OracleOutput RunOracle(string baseGguf, string adapterGguf, object request) =>
        LlamaCppOracle.Run<OracleOutput>("llama_lora_oracle.mjs", adapterGguf, request, baseGguf, adapterGguf);
}
