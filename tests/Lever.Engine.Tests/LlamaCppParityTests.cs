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

            // 3) Lever's answers, through its KV-cached decoding path.
            using var model = HfCheckpoint.Load(dir);
            using var noGrad = no_grad();
            var allGreedy = new List<int>();
            for (var p = 0; p < prompts.Count; p++)
            {
                using var scope = NewDisposeScope();
                using var cache = new KvCache(config, 1);
                var logits = model.Forward(tensor(prompts[p].Select(i => (long)i).ToArray()).unsqueeze(0), null, cache, lastTokenOnly: true)[0, 0];
                var expected = oracle.Logits[p];
                var ours = logits.data<float>().ToArray();
                var maxDiff = ours.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(maxDiff < 1e-3, $"{variant} prompt {p}: logits differ by up to {maxDiff:g3}");

                var greedy = new List<int>();
                for (var s = 0; s < Steps; s++)
                {
                    var next = (int)logits.argmax().item<long>();
                    greedy.Add(next);
                    logits = model.Forward(tensor(new long[] { next }).unsqueeze(0), null, cache, lastTokenOnly: true)[0, 0];
                }
                Assert.Equal(oracle.Greedy[p], greedy);
                allGreedy.AddRange(greedy);
            }
            Assert.True(allGreedy.Distinct().Count() > 3, "continuations that repeat one token would prove little");

            // 4) llama.cpp tokenizes with the exported vocabulary exactly as Microsoft.ML.Tokenizers does with tokenizer.json.
            for (var t = 0; t < texts.Length; t++) Assert.Equal(tokenizer.Encode(texts[t], addBos: false), oracle.Tokens[t]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record OracleOutput(float[][] Logits, int[][] Greedy, int[][] Tokens);

    private static OracleOutput RunOracle(string gguf, object request)
    {
        var modules = NodeModules();
        var requestPath = Path.ChangeExtension(gguf, ".request.json");
        File.WriteAllText(requestPath, JsonSerializer.Serialize(request));
        var script = Path.Combine(AppContext.BaseDirectory, "oracle", "llama_oracle.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(gguf);
        start.ArgumentList.Add(requestPath);
        start.Environment["LEVER_NODE_MODULES"] = modules;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        Assert.True(node.WaitForExit(TimeSpan.FromMinutes(2)), "llama.cpp oracle timed out");
        Assert.True(node.ExitCode == 0, $"llama.cpp oracle failed ({node.ExitCode}): {stderr.Result}");
        return JsonSerializer.Deserialize<OracleOutput>(stdout.Result, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    /// <summary>artifacts/node/node_modules of the repository (installed by build/setup.sh --tests), or $LEVER_NODE_MODULES.</summary>
    private static string NodeModules()
    {
        if (Environment.GetEnvironmentVariable("LEVER_NODE_MODULES") is { Length: > 0 } fromEnv) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) continue;
            var modules = Path.Combine(dir.FullName, "artifacts", "node", "node_modules");
            Assert.True(Directory.Exists(Path.Combine(modules, "node-llama-cpp")), $"node-llama-cpp is not installed in {modules}: run build/setup.sh --tests");
            return modules;
        }
        throw new InvalidOperationException("repository root (Lever.slnx) not found above " + AppContext.BaseDirectory);
    }
}
