using Lever.Engine.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

public sealed class ModelTests
{
    [Fact]
    public void State_dict_keys_are_hugging_face_names()
    {
        using var model = TinyModels.Create(TinyModels.Config(qkvBias: true));
        var keys = model.state_dict().Keys.ToHashSet();
        string[] layer0 =
        [
            "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.q_proj.bias",
            "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.k_proj.bias",
            "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.v_proj.bias",
            "model.layers.0.self_attn.o_proj.weight",
            "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
            "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight",
        ];
        var expected = new HashSet<string>(["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"]);
        foreach (var k in layer0) { expected.Add(k); expected.Add(k.Replace("layers.0.", "layers.1.")); }
        Assert.Equal(expected.Order(), keys.Order());
    }

    [Fact]
    public void Tied_model_has_no_lm_head_weight_and_its_logits_use_the_embedding()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(TinyModels.Config(tied: true));
        Assert.DoesNotContain("lm_head.weight", model.state_dict().Keys);
        var ids = tensor(new long[] { 1, 5, 9 }).unsqueeze(0);
        var hidden = model.Model.forward(ids);
        var expected = hidden.matmul(model.Model.EmbedTokens.weight!.t());
        Assert.True(allclose(model.forward(ids), expected, 1e-5, 1e-5));
        Assert.Equal(model.ParameterCount(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Replacing_a_projection_keeps_the_name_and_changes_the_output()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(TinyModels.Config());
        var ids = tensor(new long[] { 3, 4, 5 }).unsqueeze(0);
        var before = model.forward(ids);
        var attn = model.Model.Layers[0].SelfAttn;
        var wrapper = new ScaledLinear(attn.QProj);
        attn.QProj = wrapper;
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("model.layers.0.self_attn.q_proj.inner.weight", keys);
        Assert.DoesNotContain("model.layers.0.self_attn.q_proj.weight", keys);
        Assert.Same(wrapper, attn.QProj);
        Assert.False(allclose(before, model.forward(ids)));
    }

    /// <summary>A stand-in for a LoRA wrapper: holds the original projection and doubles its output.</summary>
    private sealed class ScaledLinear : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        public ScaledLinear(nn.Module<Tensor, Tensor> inner) : base("ScaledLinear") { this.inner = inner; RegisterComponents(); }
        public override Tensor forward(Tensor x) => inner.call(x) * 2;
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 4)]
    [InlineData(false, 1)]
    public void Incremental_decoding_with_the_kv_cache_matches_a_full_forward(bool qkvBias, int kvHeads)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyModels.Create(TinyModels.Config(qkvBias: qkvBias, kvHeads: kvHeads));
        var ids = tensor(new long[] { 1, 17, 33, 8, 60, 2, 44, 91, 12 }).unsqueeze(0);
        var full = model.forward(ids);                                  // (1, 9, V)
        using var cache = new KvCache(model.Config, 1, initialCapacity: 2);   // forces growth
        var prefill = model.Forward(ids.narrow(1, 0, 5), null, cache);
        Assert.True(allclose(prefill, full.narrow(1, 0, 5), 1e-5, 1e-4));
        Assert.True(allclose(model.Forward(ids.narrow(1, 5, 2), null, cache), full.narrow(1, 5, 2), 1e-5, 1e-4));   // several new tokens after a past
        for (var i = 7; i < 9; i++)
        {
            var step = model.Forward(ids.narrow(1, i, 1), null, cache, lastTokenOnly: true);
            Assert.True(allclose(step, full.narrow(1, i, 1), 1e-5, 1e-4), $"position {i}");
        }
        Assert.Equal(9, cache.Length);
    }

    [Fact]
    public void Left_padded_batch_gives_each_row_the_logits_it_has_alone()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var model = TinyModels.Create(TinyModels.Config());
        long[] a = [1, 5, 6, 7, 8, 9], b = [1, 40, 41];
        var ids = tensor(new long[] { 1, 5, 6, 7, 8, 9, 0, 0, 0, 1, 40, 41 }, [2, 6]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, [2, 6]);
        using var cache = new KvCache(model.Config, 2);
        var batched = model.Forward(ids, mask, cache);
        var aloneA = model.forward(tensor(a).unsqueeze(0));
        var aloneB = model.forward(tensor(b).unsqueeze(0));
        Assert.True(allclose(batched[0], aloneA[0], 1e-5, 1e-4));
        Assert.True(allclose(batched[1].narrow(0, 3, 3), aloneB[0], 1e-5, 1e-4));

        // One decode step for both rows, with the mask extended by a real token.
        var next = tensor(new long[] { 70, 71 }, [2, 1]);
        var mask2 = cat([mask, ones(2, 1, ScalarType.Int64)], 1);
        var step = model.Forward(next, mask2, cache);
        var aloneA2 = model.forward(tensor(a.Append(70L).ToArray()).unsqueeze(0));
        var aloneB2 = model.forward(tensor(b.Append(71L).ToArray()).unsqueeze(0));
        Assert.True(allclose(step[0, 0], aloneA2[0, -1], 1e-5, 1e-4));
        Assert.True(allclose(step[1, 0], aloneB2[0, -1], 1e-5, 1e-4));
    }

    [Fact]
    public void Attention_equals_an_explicit_softmax_reference()
    {
        // Independent check of the fused kernel, GQA expansion and RoPE: recompute layer 0 by hand.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var config = TinyModels.Config(kvHeads: 2);
        using var model = TinyModels.Create(config);
        var x = randn(1, 5, config.HiddenSize, generator: new Generator(3));
        var attn = model.Model.Layers[0].SelfAttn;
        var positions = arange(5, dtype: ScalarType.Int64).unsqueeze(0);
        var (cos, sin) = new RotaryEmbedding(config).call(positions);
        var actual = attn.forward(x, cos, sin, null, null);

        int nh = config.NumAttentionHeads, nkv = config.KeyValueHeads, hd = config.HeadDim;
        var q = attn.QProj.call(x).view(1, 5, nh, hd).transpose(1, 2);
        var k = attn.KProj.call(x).view(1, 5, nkv, hd).transpose(1, 2);
        var v = attn.VProj.call(x).view(1, 5, nkv, hd).transpose(1, 2);
        // RoPE by its definition: rotate pairs (i, i + d/2) by angle pos·θ_i.
        var inv = RotaryEmbedding.InverseFrequencies(config);
        Tensor Rope(Tensor t)
        {
            var outp = t.clone();
            for (var p = 0; p < 5; p++)
            for (var i = 0; i < hd / 2; i++)
            {
                var angle = p * inv[i];
                var a = t[.., .., p, i];
                var b2 = t[.., .., p, i + hd / 2];
                outp[.., .., p, i] = a * MathF.Cos(angle) - b2 * MathF.Sin(angle);
                outp[.., .., p, i + hd / 2] = b2 * MathF.Cos(angle) + a * MathF.Sin(angle);
            }
            return outp;
        }
        q = Rope(q); k = Rope(k);
        k = k.repeat_interleave(nh / nkv, 1);
        v = v.repeat_interleave(nh / nkv, 1);
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(hd);
        scores = scores.masked_fill(ones(5, 5).triu(1).to(ScalarType.Bool), double.NegativeInfinity);
        var expected = attn.OProj.call(scores.softmax(-1).matmul(v).transpose(1, 2).reshape(1, 5, nh * hd));
        Assert.True(allclose(actual, expected, 1e-5, 1e-5));
    }

    [Fact]
    public void Llama3_rope_scaling_keeps_high_frequencies_and_divides_low_ones()
    {
        var scaling = new RopeScaling { RopeType = "llama3", Factor = 32, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 8192 };
        var plain = RotaryEmbedding.InverseFrequencies(new LlamaConfig { HiddenSize = 2048, NumAttentionHeads = 32, RopeTheta = 500000 });
        var scaled = RotaryEmbedding.InverseFrequencies(new LlamaConfig { HiddenSize = 2048, NumAttentionHeads = 32, RopeTheta = 500000, RopeScaling = scaling });
        Assert.Equal(plain[0], scaled[0]);                           // wavelength 2π < 2048: unchanged
        Assert.Equal(plain[^1] / 32, scaled[^1], 6);                 // wavelength > 8192: divided by factor
        var mid = Enumerable.Range(0, plain.Length).First(i => 2 * Math.PI / plain[i] is > 2048 and < 8192);
        Assert.InRange(scaled[mid], plain[mid] / 32, plain[mid]);     // in between: blended
        var linear = RotaryEmbedding.InverseFrequencies(new LlamaConfig { HiddenSize = 64, NumAttentionHeads = 4, RopeScaling = new RopeScaling { Type = "linear", Factor = 4 } });
        var basic = RotaryEmbedding.InverseFrequencies(new LlamaConfig { HiddenSize = 64, NumAttentionHeads = 4 });
        Assert.Equal(basic.Select(f => f / 4), linear);
    }
}
