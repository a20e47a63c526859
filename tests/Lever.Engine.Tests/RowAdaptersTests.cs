using Lever.Engine.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

/// <summary>One batch whose rows use different adapters (of different ranks, some projections missing) or none.</summary>
public sealed class RowAdaptersTests
{
    /// <summary>An adapter of rank <paramref name="rank"/> with random factors on the projections whose kind <paramref name="kinds"/> names.</summary>
    private static LoraWeights Random(LlamaForCausalLM model, string name, int rank, ulong seed, params string[] kinds)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(seed);
        var factors = new Dictionary<string, (Tensor A, Tensor B)>(StringComparer.Ordinal);
        foreach (var slot in model.Projections().Where(p => kinds.Contains(p.Kind)))
        {
            var weight = ((TorchSharp.Modules.Linear)slot.Get()).weight!;
            factors[slot.Name] = (randn([rank, weight.shape[1]], generator: generator) * 0.3, randn([weight.shape[0], rank], generator: generator) * 0.3);
        }
        return LoraWeights.Create(name, model, factors, scaling: 2.0);
    }

    [Fact]
    public void Rows_mixing_two_adapters_and_the_bare_base_get_each_rows_own_logits_in_prefill_and_decode()
    {
        var config = TinyModels.Config();
        using var model = TinyModels.Create(config);
        using var weights = DecodeWeights.TryBuild(model)!;
        using var a = Random(model, "a", 4, 1, "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        using var b = Random(model, "b", 2, 2, "v_proj", "down_proj");   // another rank, and most projections absent
        LoraWeights?[] rows = [a, null, b, a];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var prompt = tensor(new long[] { 1, 5, 9, 33, 7, 60, 1, 2, 3, 4, 5, 6, 8, 8, 9, 9, 2, 4, 6, 8 }, [4, 5]);

        using var mixed = RowAdapters.PerRow(rows);
        using var batchCache = new KvCache(config, 4, 8);
        var batched = model.Forward(prompt, null, batchCache, weights: weights, adapters: mixed);
        var caches = rows.Select(_ => new KvCache(config, 1, 8)).ToList();
        var alone = rows.Select(r => RowAdapters.All(r)).ToList();
        var single = Enumerable.Range(0, 4).Select(r => model.Forward(prompt[r..(r + 1)], null, caches[r], weights: weights, adapters: alone[r])).ToList();
        try
        {
            for (var step = 0; step < 4; step++)
            {
                for (var r = 0; r < 4; r++)
                {
                    var diff = (batched[r..(r + 1), -1] - single[r][.., -1]).abs().max().item<float>();
                    Assert.True(diff < 1e-4, $"step {step}, row {r}: max |batched - alone| {diff}");
                }
                var next = batched[.., -1].argmax(-1).unsqueeze(1);   // (4, 1)
                batched = model.Forward(next, null, batchCache, lastTokenOnly: true, weights: weights, adapters: mixed);
                single = Enumerable.Range(0, 4).Select(r => model.Forward(next[r..(r + 1)], null, caches[r], lastTokenOnly: true, weights: weights, adapters: alone[r])).ToList();
            }
            // The adapters matter: each adapted row's logits differ from the bare base's on the same prompt.
            var bare = model.Forward(prompt, null, null, weights: weights);
            foreach (var r in new[] { 0, 2, 3 })
                Assert.True((model.Forward(prompt[r..(r + 1)], null, null, weights: weights, adapters: alone[r]) - bare[r..(r + 1)]).abs().max().item<float>() > 1e-2);
        }
        finally
        {
            foreach (var c in caches) c.Dispose();
            foreach (var x in alone) x?.Dispose();
        }
    }
}
