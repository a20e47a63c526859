// rope_scaling of HF config.json: how RoPE frequencies are stretched for contexts longer than pre-training.
// "linear" (Chen et al. 2023, position interpolation) divides every frequency by `factor`;
// "llama3" (Meta, Llama 3.1) divides only the low frequencies and blends the band between.
using System.Text.Json.Serialization;
using Lever.Core;

namespace Lever.Engine.Modules;

/// <summary>RoPE frequency scaling as in HF config.json's <c>rope_scaling</c>.</summary>
public sealed record RopeScaling
{
    /// <summary>"linear" or "llama3" (transformers ≥ 4.43 writes rope_type).</summary>
    [JsonPropertyName("rope_type")] public string? RopeType { get; init; }

    /// <summary>Older configs name the kind "type".</summary>
    [JsonPropertyName("type")] public string? Type { get; init; }

    /// <summary>How much longer the context gets.</summary>
    [JsonPropertyName("factor")] public double Factor { get; init; } = 1.0;

    /// <summary>llama3: wavelengths longer than original/low_freq_factor are fully scaled.</summary>
    [JsonPropertyName("low_freq_factor")] public double LowFreqFactor { get; init; } = 1.0;

    /// <summary>llama3: wavelengths shorter than original/high_freq_factor are kept.</summary>
    [JsonPropertyName("high_freq_factor")] public double HighFreqFactor { get; init; } = 4.0;

    /// <summary>llama3: the pre-training context length.</summary>
    [JsonPropertyName("original_max_position_embeddings")] public int OriginalMaxPositionEmbeddings { get; init; } = 8192;

    /// <summary>The effective kind: rope_type, else type.</summary>
    [JsonIgnore] public string Kind => RopeType ?? Type ?? "default";

    /// <summary>Throws a user error for kinds the engine does not implement.</summary>
    public void Validate(string source)
    {
        if (Kind is not ("linear" or "llama3" or "default"))
            throw new LeverUserException($"{source}: field rope_scaling.rope_type \"{Kind}\" is not supported", "supported: \"linear\", \"llama3\" (or remove rope_scaling)");
        if (Factor <= 0)
            throw new LeverUserException($"{source}: field rope_scaling.factor must be positive (is {Factor})", "fix config.json");
        if (Kind == "llama3" && HighFreqFactor <= LowFreqFactor)
            throw new LeverUserException($"{source}: field rope_scaling.high_freq_factor must exceed low_freq_factor", "fix config.json");
    }
}
