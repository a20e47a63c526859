using Lever.Providers.LlamaCpp;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>Quantized export through llama.cpp's quantizer: every tensor's type stated, Q8_0 logits close to F32's, the file a third of the size.</summary>
public sealed class GgufQuantizerTests(TinyGgufFixture tiny) : IClassFixture<TinyGgufFixture>
{
    /// <summary>
    /// Largest |Δ logit| allowed between Q8_0 and F32, as a fraction of the F32 logits' range on the same prompt. Measured:
    /// 3.2% on this random model (weights drawn at σ 0.15, so activations are large; llama.cpp also rounds the
    /// activations to 8 bits for its Q8_0 dot products).
    /// </summary>
    private const double Q8Tolerance = 0.05;

    [Fact]
    public void Q8_0_export_falls_back_to_F16_where_rows_do_not_fit_and_stays_within_tolerance_of_F32()
    {
        var q8 = Path.Combine(tiny.Directory, "tiny-q8_0.gguf");
        var tensors = GgufQuantizer.Quantize(tiny.GgufPath, q8, "q8_0");

        Assert.Equal(29, tensors.Count);
        Assert.All(tensors.Where(t => t.Name.EndsWith("ffn_down.weight", StringComparison.Ordinal)), t =>
        {
            Assert.Equal("F16", t.Type);   // 344 is not a multiple of Q8_0's 32
            Assert.Equal("rows of 344 do not fit Q8_0's blocks of 32: fallback", t.Note);
        });
        Assert.All(tensors.Where(t => t.Dimensions.Count == 1), t => Assert.Equal("F32", t.Type));
        Assert.Equal(19, tensors.Count(t => t.Type == "Q8_0"));   // every other 2-D weight, the tied embedding included
        var ratio = (double)new FileInfo(q8).Length / new FileInfo(tiny.GgufPath).Length;
        Assert.InRange(ratio, 0.28, 0.33);   // Q8_0 is 34/128 of F32; the F16 fallback (a fifth of the weights) lifts it

        using var quantized = LlamaCppModel.Load(q8);
        double worst = 0;
        foreach (var text in new[] { "The quick brown fox", "In 2024 the team trained 3 models", "def add(a, b):" })
        {
            var ids = tiny.Model.Tokenize(text);
            var reference = tiny.Model.Logits(ids);
            var approx = quantized.Logits(ids);
            var range = reference.Max() - reference.Min();
            var diff = reference.Zip(approx, (a, b) => Math.Abs(a - b)).Max();
            worst = Math.Max(worst, diff / range);
            Assert.True(diff > 0, "a Q8_0 file should not give bit-identical logits");
        }
        Assert.True(worst < Q8Tolerance, $"Q8_0 logits differ from F32 by up to {worst:P2} of the logit range");
    }

    [Fact]
    public void Q4_K_M_on_rows_narrower_than_256_uses_llama_cpps_own_fallbacks_and_loads()
    {
        var q4 = Path.Combine(tiny.Directory, "tiny-q4_k_m.gguf");
        var tensors = GgufQuantizer.Quantize(tiny.GgufPath, q4, "q4_k_m");
        Assert.DoesNotContain(tensors, t => t.Type is "Q4_K");   // 128- and 344-wide rows: no 256-blocks fit
        Assert.All(tensors.Where(t => t.Dimensions.Count == 2 && t.Dimensions[0] == 128), t => Assert.Contains(t.Type, new[] { "Q5_0", "Q8_0" }));
        Assert.All(tensors.Where(t => t.Dimensions.Count == 2 && t.Dimensions[0] == 344), t => Assert.Equal("F16", t.Type));
        using var quantized = LlamaCppModel.Load(q4);
        Assert.Equal(24, quantized.Generate(quantized.Tokenize("hello"), new LlamaCppSampling { MaxTokens = 24, StopAtEndOfGeneration = false }).OutputTokens);
    }

    [Fact]
    public void An_unknown_type_is_a_user_error()
    {
        var e = Assert.Throws<Lever.Core.LeverUserException>(() => GgufQuantizer.Quantize(tiny.GgufPath, Path.Combine(tiny.Directory, "x.gguf"), "q3_k"));
        Assert.Contains("--type q3_k", e.Message, StringComparison.Ordinal);
    }
}
