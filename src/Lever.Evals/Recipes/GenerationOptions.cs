namespace Lever.Evals.Recipes;

/// <summary>Decoding settings passed to the model through <c>ChatOptions</c>.</summary>
public sealed class GenerationOptions
{
    /// <summary>Sampling temperature; 0 is greedy.</summary>
    public float Temperature { get; set; }

    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Nucleus sampling mass, when set.</summary>
    public float? TopP { get; set; }

    /// <summary>Sampling seed, when set.</summary>
    public long? Seed { get; set; }

    /// <summary>Stop sequences.</summary>
    public List<string> Stop { get; set; } = [];
}
