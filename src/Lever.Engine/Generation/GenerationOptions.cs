using Lever.Core;

namespace Lever.Engine.Generation;

/// <summary>How to pick tokens and when to stop. Temperature 0 is greedy; the other filters then do nothing.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Softmax temperature; 0 picks the most likely token (greedy).</summary>
    public double Temperature { get; init; }

    /// <summary>Sample only among the k most likely tokens; 0 means all.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling (Holtzman et al. 2020): the smallest set of tokens whose probability reaches p; 1 means all.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>CTRL's repetition penalty (Keskar et al. 2019): logits of tokens already present are divided (or, if negative, multiplied) by it; 1 is off.</summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>Texts that end generation; the text returned stops before them.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Token ids that end generation besides the model's EOS (e.g. a chat template's end-of-turn token).</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Seed of the sampler; the same seed, prompt and options give the same tokens. Null draws one.</summary>
    public long? Seed { get; init; }

    /// <summary>Reuse (and remember) the KV of recently seen prompt prefixes.</summary>
    public bool UsePrefixCache { get; init; } = true;

    /// <summary>A LoRA adapter applied unmerged on the generator's shared base weights; null runs the base model.</summary>
    public Modules.LoraWeights? Adapter { get; init; }

    /// <summary>
    /// Constrained decoding (OpenAI's <c>response_format</c>): only tokens that keep the output a valid prefix of a JSON
    /// document in this format are sampled, the document is closed before <see cref="MaxTokens"/> runs out when it can
    /// be, and generation stops when it is complete. Null: free text.
    /// </summary>
    public Lever.Core.Constraints.JsonFormat? ResponseFormat { get; init; }

    /// <summary>Throws a user error for values that make no sense.</summary>
    public void Validate()
    {
        if (MaxTokens < 0) throw new LeverUserException($"max tokens must be 0 or more (is {MaxTokens})", "pass --max-tokens N with N ≥ 0");
        if (Temperature < 0 || double.IsNaN(Temperature)) throw new LeverUserException($"temperature must be 0 or more (is {Temperature})", "0 is greedy; 0.7 is a common sampling value");
        if (TopK < 0) throw new LeverUserException($"top-k must be 0 (off) or positive (is {TopK})", "use 0 to disable top-k");
        if (TopP is <= 0 or > 1) throw new LeverUserException($"top-p must be in (0, 1] (is {TopP})", "use 1 to disable nucleus sampling");
        if (RepetitionPenalty <= 0) throw new LeverUserException($"repetition penalty must be positive (is {RepetitionPenalty})", "use 1 to disable it; 1.1 is typical");
    }
}
