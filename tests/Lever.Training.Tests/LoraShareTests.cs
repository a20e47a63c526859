using Lever.Engine.Modules;
using Lever.Training.Lora;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>
/// The share of parameters LoRA trains, on the meta device (shapes only, no weights allocated): the count Lever
/// reports (parameters that require a gradient) equals the closed form Σ r·(d_in + d_out) over adapted projections.
/// </summary>
public sealed class LoraShareTests
{
    // SmolLM-135M's config.json (HuggingFaceTB/SmolLM-135M): a published 125M-class Llama, for comparison.
    private static readonly LlamaConfig SmolLm135M = new()
    {
        VocabSize = 49152, HiddenSize = 576, IntermediateSize = 1536, NumHiddenLayers = 30, NumAttentionHeads = 9,
        NumKeyValueHeads = 3, MaxPositionEmbeddings = 2048, RmsNormEps = 1e-5, TieWordEmbeddings = true,
    };

    [Theory]
    [InlineData("base", "q,k,v,o,gate,up,down", 121_326_336, 1_523_712, 1.24)]
    [InlineData("base", "q,k,v,o", 121_326_336, 491_520, 0.40)]
    [InlineData("smollm-135m", "q,k,v,o,gate,up,down", 134_515_008, 2_442_240, 1.78)]
    [InlineData("smollm-135m", "q,k,v,o", 134_515_008, 921_600, 0.68)]
    public void Lora_r8_trainable_count_equals_the_closed_form(string preset, string targets, long baseParams, long adapterParams, double percent)
    {
        var config = preset == "base" ? ModelPresets.Base : SmolLm135M;
        using var model = new LlamaForCausalLM(config, META);
        long total = model.ParameterCount();
        Assert.Equal(baseParams, total);

        var names = targets.Split(',');
        LoraInjector.Inject(model, new LoraOptions { Rank = 8, TargetModules = names }, seed: 1);
        long trainable = LoraInjector.Trainable(model).Sum(p => p.Parameter.numel());

        // Closed form: a rank-r adapter on a d_in → d_out linear trains r·(d_in + d_out) weights.
        long d = config.HiddenSize, inter = config.IntermediateSize, q = config.NumAttentionHeads * config.HeadDim, kv = config.KeyValueHeads * config.HeadDim;
        var shapes = new Dictionary<string, (long In, long Out)>
        {
            ["q"] = (d, q), ["k"] = (d, kv), ["v"] = (d, kv), ["o"] = (q, d), ["gate"] = (d, inter), ["up"] = (d, inter), ["down"] = (inter, d),
        };
        long closed = config.NumHiddenLayers * names.Sum(n => 8 * (shapes[n].In + shapes[n].Out));
        Assert.Equal(closed, trainable);
        Assert.Equal(adapterParams, trainable);
        Assert.Equal(percent, Math.Round(100.0 * trainable / (total + trainable), 2));
        // Every projection alone is above 1% at these widths: r(d_in + d_out) / (d_in·d_out) = r/d_out + r/d_in.
        Assert.All(names, n => Assert.True(8.0 / shapes[n].In + 8.0 / shapes[n].Out > 0.0125, n));
    }
}
