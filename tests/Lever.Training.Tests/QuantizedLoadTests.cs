using Lever.Engine.Checkpoints;
using Lever.Engine.Modules;
using Lever.Training.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

/// <summary>QLoRA's quantize-while-loading path against the load-then-quantize path it replaces.</summary>
public sealed class QuantizedLoadTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Quantizing_while_loading_equals_quantizing_after_the_load_bit_for_bit(bool doubleQuantize)
    {
        using var tmp = new TempWorkspace("lever-train-test");
        // Untied lm_head (stays dense) and q/k/v/o biases (kept in float32 beside the NF4 weight): every path of the loader.
        var config = TinyLlama.Config() with { TieWordEmbeddings = false, AttentionBias = true };
        using (var original = new LlamaForCausalLM(config))
        {
            original.InitializeWeights(4);
            using (no_grad())
                foreach (var (_, p) in original.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal)))
                    p.copy_(randn(p.shape, generator: new Generator(6)) * 0.1);
            HfCheckpoint.Save(tmp.Root, original);
        }

        using var after = HfCheckpoint.Load(tmp.Root);
        var (f32Expected, nf4Expected) = LoraInjector.QuantizeProjections(after, doubleQuantize);
        var (whileLoading, f32, nf4) = LoraInjector.LoadQuantized(tmp.Root, doubleQuantize);
        using var streamed = whileLoading;

        Assert.Equal(f32Expected, f32);
        Assert.Equal(nf4Expected, nf4);
        var expected = after.Projections().ToList();
        var actual = streamed.Projections().ToList();
        Assert.Equal(expected.Select(s => s.Name), actual.Select(s => s.Name));
        Assert.Equal(7 * config.NumHiddenLayers, actual.Count(s => s.Get() is Nf4Linear));
        for (int i = 0; i < expected.Count; i++)
        {
            switch (expected[i].Get(), actual[i].Get())
            {
                case (Nf4Linear e, Nf4Linear a):
                    Assert.Equal(e.Weight.DoubleQuantized, a.Weight.DoubleQuantized);
                    Assert.Equal(e.Weight.StorageBytes, a.Weight.StorageBytes);
                    Assert.True(TensorAssert.Same(e.Weight.BlockScales(), a.Weight.BlockScales()), expected[i].Name);
                    Assert.True(TensorAssert.Same(e.Weight.Dequantize(), a.Weight.Dequantize()), expected[i].Name);
                    Assert.Equal(e.Bias is null, a.Bias is null);
                    if (e.Bias is not null) Assert.True(TensorAssert.Same(e.Bias, a.Bias!), expected[i].Name);
                    break;
                case (Linear e, Linear a):   // lm_head
                    Assert.Equal("lm_head", expected[i].Kind);
                    Assert.True(TensorAssert.Same(e.weight!, a.weight!));
                    break;
                default:
                    Assert.Fail($"{expected[i].Name}: {expected[i].Get().GetType().Name} vs {actual[i].Get().GetType().Name}");
                    break;
            }
        }
        var e2 = after.state_dict();
        var a2 = streamed.state_dict();
        Assert.Equal(e2.Keys, a2.Keys);
        foreach (var (name, t) in e2) Assert.True(TensorAssert.Same(t, a2[name]), name);
        var ids = randint(0, config.VocabSize, [2, 9], generator: new Generator(2));
        Assert.True(TensorAssert.Same(after.call(ids), streamed.call(ids)));
    }
}
