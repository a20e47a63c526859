using Lever.Training.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

public sealed class Nf4Tests
{
    /// <summary>Independent scalar reference: nearest code-book level by linear scan, per block of 64.</summary>
    private static float[] ReferenceRoundTrip(float[] w)
    {
        var result = new float[w.Length];
        for (int start = 0; start < w.Length; start += 64)
        {
            int end = Math.Min(start + 64, w.Length);
            float absmax = 0;
            for (int i = start; i < end; i++) absmax = Math.Max(absmax, Math.Abs(w[i]));
            for (int i = start; i < end; i++)
            {
                float v = w[i] / absmax;
                int best = 0;
                for (int c = 1; c < 16; c++) if (Math.Abs(Nf4Weight.CodeBook[c] - v) < Math.Abs(Nf4Weight.CodeBook[best] - v)) best = c;
                result[i] = Nf4Weight.CodeBook[best] * absmax;
            }
        }
        return result;
    }

    [Fact]
    public void Nf4_matches_a_scalar_reference_and_code_book_values_round_trip_exactly()
    {
        using var scope = NewDisposeScope();
        var w = randn(48, 40, generator: new Generator(11)); // 1920 = 30 blocks
        using var q = Nf4Weight.Quantize(w);
        var ours = q.Dequantize().flatten().data<float>().ToArray();
        var reference = ReferenceRoundTrip(w.flatten().data<float>().ToArray());
        for (int i = 0; i < ours.Length; i++) Assert.Equal(reference[i], ours[i], 1e-6f);
        Assert.Equal([48L, 40L], q.Dequantize().shape);

        // A block made of code-book levels times its absmax comes back exactly.
        var levels = tensor(Enumerable.Range(0, 64).Select(i => Nf4Weight.CodeBook[i % 16] * 0.37f).ToArray()).view(8, 8);
        using var exact = Nf4Weight.Quantize(levels);
        Assert.True(TensorAssert.Same(exact.Dequantize(), levels));
    }

    [Fact]
    public void Nf4_storage_is_under_three_tenths_of_float32_and_double_quantization_is_smaller_and_close()
    {
        using var scope = NewDisposeScope();
        var w = randn(256, 512, generator: new Generator(3)) * 0.02f;
        using var single = Nf4Weight.Quantize(w);
        using var dbl = Nf4Weight.Quantize(w, doubleQuantize: true);
        long f32 = w.numel() * 4;
        Assert.True(single.StorageBytes <= 0.3 * f32, $"{single.StorageBytes} vs {f32}");
        Assert.True(dbl.StorageBytes < single.StorageBytes);
        Assert.InRange(dbl.StorageBytes / (double)f32, 0.125, 0.13); // 4 + 8/64 bits ≈ 4.127 bits of 32
        // Second-level quantization moves each block scale by at most half an int8 step.
        var s1 = single.BlockScales();
        var s2 = dbl.BlockScales();
        var step = (s1 - s1.mean()).abs().max().item<float>() / 127;
        Assert.True((s1 - s2).abs().max().item<float>() <= step * 0.51 + 1e-7);
        // Typical NF4 error on Gaussian weights: well under a tenth of the weight scale.
        var rel = (dbl.Dequantize() - w).pow(2).mean().sqrt().item<float>() / w.std().item<float>();
        Assert.InRange(rel, 0.01, 0.15);
    }

    [Fact]
    public void Qlora_layer_equals_dense_on_dequantized_weights_and_trains_only_the_adapter()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var dense = nn.Linear(64, 32);
        var q = new Nf4Linear(dense);
        var x = randn(3, 64, generator: new Generator(6));
        var expected = nn.functional.linear(x, q.Weight.Dequantize(), dense.bias);
        Assert.True(q.call(x).allclose(expected, atol: 1e-6));

        var lora = new LoraLinear(q);
        lora.AddAdapter("default", new LoraOptions { Rank = 2, Dropout = 0 }, new Generator(1));
        Assert.Equal(["lora_A.default.weight", "lora_B.default.weight"], lora.named_parameters().Select(p => p.name));
        var xg = x.clone().requires_grad_();
        lora.call(xg).pow(2).sum().backward();
        Assert.NotNull(lora.B("default").weight!.grad);
        Assert.NotNull(xg.grad);
    }
}
