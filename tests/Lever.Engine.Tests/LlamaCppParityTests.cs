using System.Diagnostics;
using System.Text.Json;
using Lever.Engine.Checkpoints;
using Lever.Engine.Gguf;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

/// <summary>
/// The oracle: llama.cpp (node-llama-cpp's prebuilt CPU build, installed by build/setup.sh --tests) loads the GGUF Lever
/// exports and must produce the same greedy continuation and the same next-token logits as Lever's own engine.
/// </summary>
public sealed class LlamaCppParityTests
{
    private const int Steps = 32;

    public static TheoryData<string> Variants => ["gqa-tied", "untied-bias-llama3rope", "mha-linear-rope"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Greedy_continuation_and_logits_match_llama_cpp(string variant)
    {
        var dir = TinyModels.TempDir("parity");
        try
        {
            // 1) a random model with a trained tokenizer, in HF layout; weights large enough that greedy has clear winners.
            var trained = BpeTrainer.Train(TokenizerTests.RepeatedCorpus(), 512);
            trained.Save(dir);
            var config = (variant switch
            {
                "gqa-tied" => TinyModels.Config(tied: true, kvHeads: 2),
                "untied-bias-llama3rope" => TinyModels.Config(tied: false, qkvBias: true, kvHeads: 2, scaling: new RopeScaling
                    { RopeType = "llama3", Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositionEmbeddings = 64 }),
                _ => TinyModels.Config(tied: false, kvHeads: 4, scaling: new RopeScaling { Type = "linear", Factor = 2 }),
            }) with { VocabSize = 512, InitializerRange = 0.15, MaxPositionEmbeddings = 512, BosTokenId = 0, EosTokenId = [0] };
            using (var fresh = TinyModels.Create(config, seed: 21)) HfCheckpoint.Save(dir, fresh);
            var gguf = Path.Combine(dir, "model.gguf");
            GgufExporter.Export(dir, gguf);

            var tokenizer = ModelTokenizer.Load(dir);
            string[] texts = ["The quick brown fox", "def add(a, b):\n    return a + b", "In 2024 the team trained 3 models"];
            var prompts = texts.Select(t => tokenizer.Encode(t, addBos: false).Prepend(0).ToList()).ToList();

            // 2) llama.cpp's answers.
            var oracle = RunOracle(gguf, new { vocabSize = config.VocabSize, prompts, steps = Steps, texts });

            // 3) Lever's answers, through its KV-cached decoding path: the modules' own weights, then the DecodeWeights
            // snapshot that TextGenerator decodes with.
            using var model = HfCheckpoint.Load(dir);
            using var noGrad = no_grad();
            using var decodeWeights = DecodeWeights.TryBuild(model);
            Assert.NotNull(decodeWeights);
            var allGreedy = new List<int>();
            foreach (var weights in new[] { null, decodeWeights })
            for (var p = 0; p < prompts.Count; p++)
            {
                using var scope = NewDisposeScope();
                using var cache = new KvCache(config, 1);
                var logits = model.Forward(tensor(prompts[p].Select(i => (long)i).ToArray()).unsqueeze(0), null, cache, lastTokenOnly: true, weights)[0, 0];
                var expected = oracle.Logits[p];
                var ours = logits.data<float>().ToArray();
                var maxDiff = ours.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(maxDiff < 1e-3, $"{variant} (decode weights: {weights is not null}) prompt {p}: logits differ by up to {maxDiff:g3}");

                var greedy = new List<int>();
                for (var s = 0; s < Steps; s++)
                {
                    var next = (int)logits.argmax().item<long>();
                    greedy.Add(next);
                    logits = model.Forward(tensor(new long[] { next }).unsqueeze(0), null, cache, lastTokenOnly: true, weights)[0, 0];
                }
                Assert.Equal(oracle.Greedy[p], greedy);
                allGreedy.AddRange(greedy);
            }
            Assert.True(allGreedy.Distinct().Count() > 3, "continuations that repeat one token would prove little");

            // 4) llama.cpp tokenizes with the exported vocabulary exactly as Microsoft.ML.Tokenizers does with tokenizer.json.
            for (var t = 0; t < texts.Length; t++) Assert.Equal(tokenizer.Encode(texts[t], addBos: false), oracle.Tokens[t]);

            // 5) F16 export: llama.cpp loads it and its logits stay close (weights rounded to 11 significant bits).
            if (variant == "gqa-tied")
            {
                var f16 = Path.Combine(dir, "model-f16.gguf");
                GgufExporter.Export(dir, f16, "f16");
                Assert.True(new FileInfo(f16).Length < new FileInfo(gguf).Length * 0.6);
                var half = RunOracle(f16, new { vocabSize = config.VocabSize, prompts = prompts.Take(1), steps = 1, texts = Array.Empty<string>() });
                var diff = half.Logits[0].Zip(oracle.Logits[0], (a, b) => Math.Abs(a - b)).Max();
                Assert.True(diff < 0.05, $"f16 logits differ from f32 by up to {diff:g3}");
                Assert.True(diff > 0, "f16 export should not be bit-identical to f32");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record OracleOutput(float[][] Logits, int[][] Greedy, int[][] Tokens);

    private static OracleOutput RunOracle(string gguf, object request) =>
        LlamaCppOracle.Run<OracleOutput>("llama_oracle.mjs", gguf, request, gguf);
}
