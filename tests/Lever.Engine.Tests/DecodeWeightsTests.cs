using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

/// <summary>The fused, transposed decode weights must give the logits of the modules' own forward.</summary>
public sealed class DecodeWeightsTests(TinyCheckpoint checkpoint) : IClassFixture<TinyCheckpoint>
{
    private static LlamaForCausalLM Model(LlamaConfig config)
    {
        var model = TinyModels.Create(config);
        // InitializeWeights zeroes biases; random ones make sure the fused [q; k; v] bias and o_proj's bias line up.
        using var noGrad = no_grad();
        var generator = new Generator(11);
        foreach (var (name, p) in model.named_parameters())
            if (name.EndsWith(".bias", StringComparison.Ordinal)) p.copy_(randn(p.shape, generator: generator));
        return model;
    }

    [Theory]
    [InlineData(false, false, 2, false)]   // Llama, GQA, untied lm_head
    [InlineData(true, false, 2, false)]    // tied lm_head (the presets)
    [InlineData(false, true, 4, false)]    // Qwen2: q/k/v bias, no GQA
    [InlineData(false, false, 2, true)]    // q/k/v and o_proj bias (attention_bias: true)
    public void Prefill_and_cached_decode_steps_equal_the_plain_forward(bool tied, bool qkvBias, int kvHeads, bool attentionBias)
    {
        var config = TinyModels.Config(tied, qkvBias, kvHeads) with { AttentionBias = attentionBias ? true : null };
        using var model = Model(config);
        using var weights = DecodeWeights.TryBuild(model);
        Assert.NotNull(weights);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var plainCache = new KvCache(config, 2, 4);
        using var fastCache = new KvCache(config, 2, 4);
        var prompt = tensor(new long[] { 1, 5, 9, 33, 7, 60, 1, 2, 3, 4, 5, 6 }, [2, 6]);
        var plain = model.Forward(prompt, null, plainCache);
        var fast = model.Forward(prompt, null, fastCache, weights: weights);
        Assert.True(plain.allclose(fast, rtol: 1e-4, atol: 1e-5), $"prefill max diff {(plain - fast).abs().max().item<float>()}");
        Assert.True(plain.abs().max().item<float>() > 0.1f);   // logits that carry signal, so the comparison means something
        for (var step = 0; step < 8; step++)   // past the cache's initial capacity of 4: growth is exercised too
        {
            var next = plain[.., -1].argmax(-1).unsqueeze(1);   // (B, 1)
            plain = model.Forward(next, null, plainCache, lastTokenOnly: true);
            fast = model.Forward(next, null, fastCache, lastTokenOnly: true, weights: weights);
            Assert.True(plain.allclose(fast, rtol: 1e-4, atol: 1e-5), $"step {step} max diff {(plain - fast).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void A_replaced_projection_is_not_snapshotted()
    {
        using var model = TinyModels.Create(TinyModels.Config());
        model.Model.Layers[1].Mlp.UpProj = new Wrapped((Linear)model.Model.Layers[1].Mlp.UpProj);
        Assert.Null(DecodeWeights.TryBuild(model));
    }

    [Fact]
    public void The_generator_sees_in_place_weight_changes_after_refresh_and_replaced_modules_at_once()
    {
        using var model = HfCheckpoint.Load(checkpoint.Directory);
        using var generator = new TextGenerator(model, ModelTokenizer.Load(checkpoint.Directory));
        var options = new GenerationOptions { MaxTokens = 6, UsePrefixCache = false };
        int[] prompt = [5, 9, 33, 120];
        var before = generator.Generate(prompt, options).TokenIds;
        Assert.Equal(Reference(model, prompt, 6), before);

        // In place, as an optimizer step does: the snapshot is stale until RefreshWeights.
        using (no_grad()) model.Model.EmbedTokens.weight!.copy_(randn(model.Model.EmbedTokens.weight!.shape, generator: new Generator(5)));
        var expected = Reference(model, prompt, 6);
        Assert.NotEqual(before, expected);
        generator.RefreshWeights();
        Assert.Equal(expected, generator.Generate(prompt, options).TokenIds);

        // A replaced module (an adapter) is picked up without a refresh: the generator falls back to the modules.
        var layer = model.Model.Layers[0].Mlp;
        layer.DownProj = new Wrapped((Linear)layer.DownProj, scale: 3.0);
        var unwrapped = expected;
        expected = Reference(model, prompt, 6);
        Assert.NotEqual(unwrapped, expected);
        Assert.Equal(expected, generator.Generate(prompt, options).TokenIds);
    }

    private static List<int> Reference(LlamaForCausalLM model, IReadOnlyList<int> prompt, int n)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var seq = prompt.ToList();
        for (var i = 0; i < n; i++)
        {
            var next = (int)model.forward(tensor(seq.Select(x => (long)x).ToArray()).unsqueeze(0))[0, -1].argmax().item<long>();
            seq.Add(next);
            if (model.Config.EosTokenId!.Contains(next)) break;   // the generator stops there too
        }
        return seq.Skip(prompt.Count).ToList();
    }

    /// <summary>A stand-in adapter: the wrapped projection's output, scaled.</summary>
    private sealed class Wrapped : nn.Module<Tensor, Tensor>
    {
        private readonly Linear _inner;
        private readonly double _scale;

        public Wrapped(Linear inner, double scale = 1.0) : base(nameof(Wrapped))
        {
            _inner = inner;
            _scale = scale;
            register_module("inner", inner);
        }

        public override Tensor forward(Tensor x) => _inner.call(x) * _scale;

        protected override void RegisterComponents() { }
    }
}
