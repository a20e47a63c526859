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

    /// <summary>
    /// <c>text</c>, <c>json_object</c> or <c>json_schema</c> (the parser's schema), sent as the chat request's
    /// response_format; null (the default) asks for JSON when the parser is json. Not in the identity's generation
    /// block: the effective format is hashed on its own when it is not text (see <see cref="Recipe.Hash"/>).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ResponseFormat { get; set; }
}
