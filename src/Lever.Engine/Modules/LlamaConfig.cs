// The hyperparameters of a Llama-family checkpoint, read from and written to Hugging Face's config.json.
// Field names follow transformers' LlamaConfig / Qwen2Config / MistralConfig so a published config.json binds as is.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lever.Core;
using Lever.Engine.Internal;

namespace Lever.Engine.Modules;

/// <summary>Hyperparameters of a Llama-family decoder (Llama 2/3, Mistral, Qwen2/2.5, SmolLM), as in HF config.json.</summary>
public sealed record LlamaConfig
{
    /// <summary>Number of token ids the embedding and lm_head cover.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 32000;

    /// <summary>Model width d_model.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 4096;

    /// <summary>Width of the SwiGLU hidden layer (gate/up output).</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 11008;

    /// <summary>Number of decoder layers.</summary>
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 32;

    /// <summary>Number of query heads.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 32;

    /// <summary>Number of key/value heads; fewer than query heads is grouped-query attention. Null means equal to query heads.</summary>
    [JsonPropertyName("num_key_value_heads")] public int? NumKeyValueHeads { get; init; }

    /// <summary>Per-head width; null means hidden_size / num_attention_heads (some configs state it explicitly).</summary>
    [JsonPropertyName("head_dim")] public int? HeadDimOverride { get; init; }

    /// <summary>Epsilon inside RMSNorm's square root (1e-5 Llama 2/3, 1e-6 Qwen2, Mistral).</summary>
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>RoPE base frequency (10000 Llama 2, 500000 Llama 3, 1000000 Qwen2.5).</summary>
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Optional RoPE frequency rescaling ("linear" or "llama3").</summary>
    [JsonPropertyName("rope_scaling")] public RopeScaling? RopeScaling { get; init; }

    /// <summary>Longest context the checkpoint was trained for.</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>True when lm_head shares the embedding matrix (Llama 3.2 1B/3B, SmolLM, small Qwen2).</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }

    /// <summary>Bias on q/k/v/o projections. Qwen2 configs omit it yet have q/k/v bias: see <see cref="HasQkvBias"/>.</summary>
    [JsonPropertyName("attention_bias")] public bool? AttentionBias { get; init; }

    /// <summary>Bias on the MLP projections; no supported family uses it, so true is refused.</summary>
    [JsonPropertyName("mlp_bias")] public bool MlpBias { get; init; }

    /// <summary>Activation of the MLP gate; only "silu" is supported.</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";

    /// <summary>Std of the normal used to initialise weights of a new model.</summary>
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    /// <summary>Beginning-of-sequence token id.</summary>
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; init; }

    /// <summary>End-of-sequence token ids (HF allows one id or a list; Llama 3 Instruct lists three).</summary>
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(IntOrIntListConverter))]
    public IReadOnlyList<int>? EosTokenId { get; init; }

    /// <summary>Padding token id, if the checkpoint defines one.</summary>
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; init; }

    /// <summary>Storage dtype of the checkpoint ("float32", "bfloat16", "float16").</summary>
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; }

    /// <summary>HF class names, e.g. ["LlamaForCausalLM"].</summary>
    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }

    /// <summary>HF model family: "llama", "mistral", "qwen2".</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llama";

    /// <summary>Key/value heads actually used.</summary>
    [JsonIgnore] public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Per-head width actually used.</summary>
    [JsonIgnore] public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;

    /// <summary>True when q/k/v projections carry a bias (attention_bias, or any Qwen2 checkpoint).</summary>
    [JsonIgnore] public bool HasQkvBias => AttentionBias ?? string.Equals(ModelType, "qwen2", StringComparison.Ordinal);

    /// <summary>True when o_proj carries a bias (only with an explicit attention_bias; Qwen2's o_proj has none).</summary>
    [JsonIgnore] public bool HasOutputBias => AttentionBias ?? false;

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Reads and validates a config.json; errors name the file and field.</summary>
    public static LlamaConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new LeverUserException($"{path}: config.json not found", "point -m at a folder with a Hugging Face checkpoint (config.json + model.safetensors), or create one with `lever model init`");
        LlamaConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<LlamaConfig>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new LeverUserException($"{path}: invalid config.json at line {ex.LineNumber + 1}, field {ex.Path}: {ex.Message.Split('.')[0]}", "fix the JSON or re-create the checkpoint", ex);
        }
        if (config is null) throw new LeverUserException($"{path}: config.json is empty (null)", "re-create the checkpoint");
        config.Validate(path);
        return config;
    }

    /// <summary>Writes config.json (indented, HF field names).</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, WriteOptions) + "\n");

    /// <summary>Checks the values the model needs; throws a user error naming <paramref name="source"/> and the field.</summary>
    public void Validate(string source = "config")
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new LeverUserException($"{source}: field {field} {what}", "fix config.json (see the model card of the checkpoint for the right values)");
        }
        Require(VocabSize > 0, "vocab_size", $"must be positive (is {VocabSize})");
        Require(HiddenSize > 0, "hidden_size", $"must be positive (is {HiddenSize})");
        Require(IntermediateSize > 0, "intermediate_size", $"must be positive (is {IntermediateSize})");
        Require(NumHiddenLayers > 0, "num_hidden_layers", $"must be positive (is {NumHiddenLayers})");
        Require(NumAttentionHeads > 0, "num_attention_heads", $"must be positive (is {NumAttentionHeads})");
        Require(KeyValueHeads > 0 && NumAttentionHeads % KeyValueHeads == 0, "num_key_value_heads", $"must divide num_attention_heads={NumAttentionHeads} (is {KeyValueHeads})");
        Require(HeadDimOverride is not null || HiddenSize % NumAttentionHeads == 0, "hidden_size", $"must be a multiple of num_attention_heads={NumAttentionHeads} (is {HiddenSize})");
        Require(HeadDim % 2 == 0, "head_dim", $"must be even for rotary embeddings (is {HeadDim})");
        Require(RmsNormEps > 0, "rms_norm_eps", "must be positive");
        Require(RopeTheta > 0, "rope_theta", "must be positive");
        Require(string.Equals(HiddenAct, "silu", StringComparison.Ordinal), "hidden_act", $"must be \"silu\" (is \"{HiddenAct}\")");
        Require(!MlpBias, "mlp_bias", "must be false (MLP biases are not supported)");
        RopeScaling?.Validate(source);
    }
}
