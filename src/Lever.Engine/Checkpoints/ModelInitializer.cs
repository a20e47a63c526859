// Creates a randomly initialised checkpoint in Hugging Face layout, the starting point of pre-training.
using Lever.Core;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;

namespace Lever.Engine.Checkpoints;

/// <summary>What <see cref="ModelInitializer.Create"/> wrote.</summary>
/// <param name="Directory">The checkpoint folder.</param>
/// <param name="Config">The config it holds.</param>
/// <param name="Parameters">Number of parameters.</param>
/// <param name="TokenizerSource">Where the tokenizer came from ("byte-level default" or a folder).</param>
public sealed record InitializedModel(string Directory, LlamaConfig Config, long Parameters, string TokenizerSource);

/// <summary>Writes new models: config.json + model.safetensors + tokenizer files.</summary>
public static class ModelInitializer
{
    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"];

    /// <summary>
    /// Creates a model from a preset name (tiny|small|base) or a config.json path in <paramref name="outputDirectory"/>,
    /// with the tokenizer of <paramref name="tokenizerDirectory"/> (its size sets vocab_size) or, without one, a
    /// byte-level tokenizer (specials + 256 bytes, reserved tokens up to the preset's vocabulary).
    /// </summary>
    public static InitializedModel Create(string presetOrConfig, string outputDirectory, string? tokenizerDirectory = null, long seed = 0)
    {
        var config = ModelPresets.Get(presetOrConfig)
            ?? (File.Exists(presetOrConfig) ? LlamaConfig.Load(presetOrConfig)
                : throw new LeverUserException($"--config {presetOrConfig}: neither a preset nor a config.json file", $"use one of {string.Join(", ", ModelPresets.Names)} or a path to a config.json"));
        Directory.CreateDirectory(outputDirectory);

        string source;
        if (tokenizerDirectory is not null)
        {
            var present = TokenizerFiles.Where(f => File.Exists(Path.Combine(tokenizerDirectory, f))).ToList();
            if (present.Count == 0)
                throw new LeverUserException($"--tokenizer {tokenizerDirectory}: no tokenizer.json or tokenizer.model there", "train one with `lever tokenizer train -o <dir>` or point at a checkpoint folder");
            foreach (var f in present) File.Copy(Path.Combine(tokenizerDirectory, f), Path.Combine(outputDirectory, f), overwrite: true);
            source = tokenizerDirectory;
        }
        else
        {
            BpeTrainer.Train([], config.VocabSize).Save(outputDirectory);
            source = "byte-level default";
        }
        var tokenizer = ModelTokenizer.Load(outputDirectory);
        var eos = new List<int>();
        if (tokenizer.EosId is { } e) eos.Add(e);
        if (tokenizer.SpecialTokens.TryGetValue("<|im_end|>", out var imEnd) && !eos.Contains(imEnd)) eos.Add(imEnd);
        config = config with
        {
            VocabSize = tokenizer.VocabSize,
            BosTokenId = tokenizer.BosId,
            EosTokenId = eos.Count > 0 ? eos : null,
            PadTokenId = tokenizer.PadId,
            Architectures = ["LlamaForCausalLM"],
            ModelType = "llama",
        };

        using var model = new LlamaForCausalLM(config);
        model.InitializeWeights(seed);
        HfCheckpoint.Save(outputDirectory, model);
        return new InitializedModel(outputDirectory, config, model.ParameterCount(), source);
    }
}
