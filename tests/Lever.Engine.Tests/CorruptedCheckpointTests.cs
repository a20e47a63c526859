using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

/// <summary>
/// Issue #21's attack, fixed-seed: 40 mutants each of a tiny checkpoint's model.safetensors (flips, truncations, splices,
/// insertions in the tensor data), tokenizer.json and config.json, each loaded and asked for 8 sampled tokens as
/// `lever generate` does. Every one must end in text or a LeverUserException, within 5 s.
/// </summary>
public sealed class CorruptedCheckpointTests(TinyCheckpoint tiny) : IClassFixture<TinyCheckpoint>
{
    private const int Seed = 21;
    private const int Count = 40;

    [Fact]
    public void Corrupted_safetensors_end_in_text_or_a_user_error()
    {
        var original = File.ReadAllBytes(Path.Combine(tiny.Directory, HfCheckpoint.WeightsFile));
        var dataStart = 8 + (int)BitConverter.ToInt64(original, 0);
        AssertAllHandled(HfCheckpoint.WeightsFile, SeededMutator.Mutants(original, Seed, Count, dataStart));
    }

    [Fact]
    public void Corrupted_tokenizer_json_ends_in_text_or_a_user_error()
    {
        var original = File.ReadAllBytes(Path.Combine(tiny.Directory, "tokenizer.json"));
        AssertAllHandled("tokenizer.json", SeededMutator.Mutants(original, Seed, Count));
    }

    [Fact]
    public void Corrupted_config_json_ends_in_text_or_a_user_error()
    {
        var original = File.ReadAllBytes(Path.Combine(tiny.Directory, HfCheckpoint.ConfigFile));
        AssertAllHandled(HfCheckpoint.ConfigFile, SeededMutator.Mutants(original, Seed, Count));
    }

    [Fact]
    public void A_nan_weight_is_refused_at_load_naming_the_file_and_the_tensor()
    {
        var dir = CopyOfTiny();
        try
        {
            var path = Path.Combine(dir, HfCheckpoint.WeightsFile);
            var weights = SafeTensors.ReadAll(path);
            weights["model.layers.1.mlp.down_proj.weight"][0, 3] = float.NaN;
            SafeTensors.Write(path, weights);
            var ex = Assert.Throws<LeverUserException>(() => HfCheckpoint.Load(dir));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("model.layers.1.mlp.down_proj.weight", ex.Message, StringComparison.Ordinal);
            Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
            // The streaming loader (QLoRA) checks the projections it hands out too.
            var streamed = Assert.Throws<LeverUserException>(() => HfCheckpoint.LoadStreaming(dir, (_, _, _) => null));
            Assert.Contains("model.layers.1.mlp.down_proj.weight", streamed.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Weights_that_overflow_to_infinite_scores_are_a_user_error_not_a_multinomial_crash()
    {
        var dir = CopyOfTiny();
        try
        {
            // Finite but absurd: every score overflows float32, the case a flipped exponent byte makes.
            var path = Path.Combine(dir, HfCheckpoint.WeightsFile);
            var weights = SafeTensors.ReadAll(path);
            weights["lm_head.weight"].fill_(3e38f);
            SafeTensors.Write(path, weights);
            using var generator = TextGenerator.Load(dir);
            var ex = Assert.Throws<LeverUserException>(() => generator.Generate("hello", new GenerationOptions { MaxTokens = 4, Temperature = 0.7, Seed = 1 }));
            Assert.Contains("non-finite", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_config_json_larger_than_its_weights_is_refused_before_the_model_is_allocated()
    {
        var dir = CopyOfTiny();
        try
        {
            var path = Path.Combine(dir, HfCheckpoint.ConfigFile);
            // 2^20 x 2^12 embeddings alone would be 16 GiB of float32: the check must come before any allocation.
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"vocab_size\": 400", "\"vocab_size\": 1048576", StringComparison.Ordinal)
                .Replace("\"hidden_size\": 32", "\"hidden_size\": 4096", StringComparison.Ordinal));
            var ex = Assert.Throws<LeverUserException>(() => HfCheckpoint.Load(dir));
            Assert.Contains("describes a model of at least", ex.Message, StringComparison.Ordinal);
            Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private void AssertAllHandled(string file, IEnumerable<(string Kind, byte[] Bytes)> mutants)
    {
        var outcomes = new List<string>();
        var i = 0;
        foreach (var (kind, bytes) in mutants)
        {
            var dir = CopyOfTiny();
            try
            {
                File.WriteAllBytes(Path.Combine(dir, file), bytes);
                outcomes.Add($"{file} mutant {i} ({kind}): " + FuzzReplay.Classify<LeverUserException>(() => Generate(dir)));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
            i++;
        }
        Assert.Equal(Count, outcomes.Count);
        var bad = outcomes.Where(o => o.Contains("): crash", StringComparison.Ordinal) || o.EndsWith("): hang", StringComparison.Ordinal)).ToList();
        Assert.True(bad.Count == 0, $"{bad.Count} of {Count} mutants crashed or hung:\n" + string.Join('\n', bad));
    }

    internal static void Generate(string dir)
    {
        using var generator = TextGenerator.Load(dir);
        var ids = generator.Tokenizer.Encode("the cat sat");
        generator.Generate(ids, new GenerationOptions { MaxTokens = 8, Temperature = 0.7, TopK = 40, TopP = 0.95, Seed = 1 });
    }

    private string CopyOfTiny()
    {
        var dir = TinyModels.TempDir("mutant");
        foreach (var f in Directory.EnumerateFiles(tiny.Directory)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }
}
