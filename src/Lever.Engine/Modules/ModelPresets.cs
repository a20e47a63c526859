// Sizes for models Lever creates from scratch. Shapes follow the small Llama-style models in the wild (SmolLM,
// TinyLlama): head_dim 32-64, GQA with 2-4 kv groups, SwiGLU width ≈ 2.7-3.7× hidden, tied embeddings.
// Counts below include the embedding at the preset's vocabulary; with another tokenizer they shift.
namespace Lever.Engine.Modules;

/// <summary>Named configs for <c>lever model init</c>: tiny (~1M), small (~25M), base (~125M parameters).</summary>
public static class ModelPresets
{
    /// <summary>~1.1M parameters: tests and smoke runs in seconds.</summary>
    public static LlamaConfig Tiny { get; } = new()
    {
        VocabSize = 4096, HiddenSize = 128, IntermediateSize = 344, NumHiddenLayers = 3,
        NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 1024,
        RmsNormEps = 1e-5, RopeTheta = 10000, TieWordEmbeddings = true,
    };

    /// <summary>~25.8M parameters: pre-training on a laptop CPU in hours.</summary>
    public static LlamaConfig Small { get; } = new()
    {
        VocabSize = 16384, HiddenSize = 512, IntermediateSize = 1376, NumHiddenLayers = 6,
        NumAttentionHeads = 8, NumKeyValueHeads = 4, MaxPositionEmbeddings = 2048,
        RmsNormEps = 1e-5, RopeTheta = 10000, TieWordEmbeddings = true,
    };

    /// <summary>~121M parameters: GPT-2-small class, for real pre-training runs.</summary>
    public static LlamaConfig Base { get; } = new()
    {
        VocabSize = 32000, HiddenSize = 768, IntermediateSize = 2816, NumHiddenLayers = 12,
        NumAttentionHeads = 12, NumKeyValueHeads = 4, MaxPositionEmbeddings = 2048,
        RmsNormEps = 1e-5, RopeTheta = 10000, TieWordEmbeddings = true,
    };

    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "small", "base"];

    /// <summary>The preset called <paramref name="name"/>, or null.</summary>
    public static LlamaConfig? Get(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "small" => Small,
        "base" => Base,
        _ => null,
    };

    /// <summary>Parameter count of <paramref name="config"/> computed from shapes (a tied lm_head counts once).</summary>
    public static long ParameterCount(LlamaConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long h = config.HiddenSize, q = config.NumAttentionHeads * (long)config.HeadDim, kv = config.KeyValueHeads * (long)config.HeadDim;
        var bias = config.HasQkvBias ? q + 2 * kv : 0;
        var perLayer = h * q + 2 * h * kv + q * h + bias + (config.HasOutputBias ? h : 0) + 3 * h * config.IntermediateSize + 2 * h;
        var embed = config.VocabSize * h;
        return embed + config.NumHiddenLayers * perLayer + h + (config.TieWordEmbeddings ? 0 : embed);
    }
}
