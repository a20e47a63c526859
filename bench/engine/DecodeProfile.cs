// Where the time of one batch-1 decode step goes: the whole step, the decoder vs lm_head, and every matrix-vector
// product of a layer timed alone in the layouts libtorch could use (linear with W, matmul with a contiguous Wᵀ, mv).
//   dotnet bench/engine/bin/Release/net10.0/Lever.Bench.Engine.dll --profile small --threads 1
using System.Diagnostics;
using System.Globalization;
using Lever.Engine.Modules;
using static TorchSharp.torch;

/// <summary>Profiles one decode step of a model at batch 1 with a cache of <c>past</c> positions.</summary>
internal static class DecodeProfile
{
    public static void Run(LlamaForCausalLM model, int past, int steps)
    {
        var c = model.Config;
        using var noGrad = no_grad();
        using var cache = new KvCache(c, 1, past + 2);
        using (NewDisposeScope())
            model.Forward(tensor(Enumerable.Range(0, past).Select(i => (long)(3 + i % 250)).ToArray(), [1, past]), null, cache, lastTokenOnly: true);
        var token = tensor(new long[] { 7 }, [1, 1]);

        double Time(Action step)
        {
            for (var i = 0; i < 3; i++) step();
            var times = new List<double>();
            for (var i = 0; i < steps; i++)
            {
                var w = Stopwatch.StartNew();
                step();
                times.Add(w.Elapsed.TotalMilliseconds);
            }
            return times.Order().ElementAt(times.Count / 2);
        }

        void Report(string what, double ms) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-58} {ms,8:F3} ms"));

        // Variants interleaved step by step, so the machine's load hits them alike; medians reported.
        using var fast = DecodeWeights.TryBuild(model)!;
        var variants = new (string Name, Action Step)[]
        {
            ("full step, no_grad (as before)", () => model.Forward(token, null, cache, lastTokenOnly: true)),
            ("full step, inference_mode", () => { using var im = inference_mode(); model.Forward(token, null, cache, lastTokenOnly: true); }),
            ("full step, DecodeWeights", () => model.Forward(token, null, cache, lastTokenOnly: true, weights: fast)),
            ("full step, DecodeWeights + inference_mode", () => { using var im = inference_mode(); model.Forward(token, null, cache, lastTokenOnly: true, weights: fast); }),
            ("decoder only, no_grad", () => model.Model.forward(token, null, cache)),
            ("decoder only, DecodeWeights", () => model.Model.forward(token, null, cache, fast)),
        };
        var samples = variants.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < steps + 3; round++)
        {
            for (var v = 0; v < variants.Length; v++)
            {
                using var s = NewDisposeScope();
                var w = Stopwatch.StartNew();
                variants[v].Step();
                if (round >= 3) samples[v].Add(w.Elapsed.TotalMilliseconds);
                cache.Truncate(past);
            }
        }
        for (var v = 0; v < variants.Length; v++)
            Report(variants[v].Name, samples[v].Order().ElementAt(samples[v].Count / 2));
        var h = randn(1, 1, c.HiddenSize);
        var layer0 = model.Model.Layers[0];
        var positions = tensor(new long[] { past }, [1, 1]);
        var rotary = new RotaryEmbedding(c);
        var (cos, sin) = rotary.call(positions);
        Report("rotary tables", Time(() => { using var s = NewDisposeScope(); rotary.call(positions); }));
        Report("embedding", Time(() => { using var s = NewDisposeScope(); model.Model.EmbedTokens.call(token); }));
        Report("rmsnorm", Time(() => { using var s = NewDisposeScope(); layer0.InputLayernorm.call(h); }));
        Report("mlp (layer 0)", Time(() => { using var s = NewDisposeScope(); layer0.Mlp.call(h); }));
        Report("attention (layer 0, with cache write)", Time(() =>
        {
            using var s = NewDisposeScope();
            layer0.SelfAttn.forward(h, cos, sin, null, cache);
        }));
        Report("whole layer 0", Time(() => { using var s = NewDisposeScope(); layer0.forward(h, cos, sin, null, cache); }));
        var rep = c.NumAttentionHeads / c.KeyValueHeads;
        var qg = randn(1, c.KeyValueHeads, rep, c.HeadDim);
        var kk = randn(1, c.KeyValueHeads, past + 1, c.HeadDim);
        var vv = randn(1, c.KeyValueHeads, past + 1, c.HeadDim);
        Report("sdpa alone (grouped, T=1)", Time(() => { using var s = NewDisposeScope(); nn.functional.scaled_dot_product_attention(qg, kk, vv); }));
        Report("attention by hand (softmax(q kᵀ / √d) v)", Time(() =>
        {
            using var s = NewDisposeScope();
            (qg.matmul(kk.transpose(2, 3)) * (1.0 / Math.Sqrt(c.HeadDim))).softmax(-1).matmul(vv);
        }));
        Report("lm_head only", Time(() =>
        {
            using var s = NewDisposeScope();
            model.LmHead.call(h);
        }));

        // Each projection shape alone: (out, in) pairs of one layer, then lm_head.
        var shapes = new (string Name, long Out, long In)[]
        {
            ("q_proj", c.NumAttentionHeads * c.HeadDim, c.HiddenSize),
            ("k_proj", c.KeyValueHeads * c.HeadDim, c.HiddenSize),
            ("o_proj", c.HiddenSize, c.NumAttentionHeads * c.HeadDim),
            ("qkv fused", (c.NumAttentionHeads + 2 * c.KeyValueHeads) * c.HeadDim, c.HiddenSize),
            ("gate_proj", c.IntermediateSize, c.HiddenSize),
            ("gate+up fused", 2 * c.IntermediateSize, c.HiddenSize),
            ("down_proj", c.HiddenSize, c.IntermediateSize),
            ("lm_head", c.VocabSize, c.HiddenSize),
        };
        // 8 copies of each weight, used in turn, so most reads come from memory as in a real step (L3 is 32 MB here).
        foreach (var (name, o, i) in shapes)
        {
            var copies = name == "lm_head" ? 2 : 8;
            var ws = Enumerable.Range(0, copies).Select(_ => randn(o, i)).ToArray();
            var wts = ws.Select(w => w.t().contiguous()).ToArray();
            var x3 = randn(1, 1, i);
            var x2 = x3.view(1, i);
            var x1 = x3.view(i);
            var mb = o * i * 4 / 1e6;
            var n = 0;
            Report($"{name} ({o}×{i}, {mb:F1} MB) linear(x (1,1,C), W)", Time(() => { using var s = NewDisposeScope(); nn.functional.linear(x3, ws[n++ % copies]); }));
            Report($"{name} linear(x (1,C), W)", Time(() => { using var s = NewDisposeScope(); nn.functional.linear(x2, ws[n++ % copies]); }));
            Report($"{name} matmul(x (1,1,C), W.t() view)", Time(() => { using var s = NewDisposeScope(); x3.matmul(ws[n++ % copies].t()); }));
            Report($"{name} matmul(x (1,1,C), Wᵀ contiguous)", Time(() => { using var s = NewDisposeScope(); x3.matmul(wts[n++ % copies]); }));
            Report($"{name} mv(W, x (C))", Time(() => { using var s = NewDisposeScope(); ws[n++ % copies].mv(x1); }));
        }

        // Per-op overhead of a small elementwise op through TorchSharp.
        var a = randn(1, 1, c.HiddenSize);
        Report("one small elementwise op (a + a), per op", Time(() =>
        {
            using var s = NewDisposeScope();
            for (var i = 0; i < 100; i++) _ = a + a;
        }) / 100);
    }
}
