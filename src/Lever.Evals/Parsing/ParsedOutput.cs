using System.Text.Json;

namespace Lever.Evals.Parsing;

/// <summary>A raw answer after the recipe's parser: the prediction to score, or why it could not be parsed.</summary>
public sealed record ParsedOutput
{
    /// <summary>The model's answer as generated.</summary>
    public required string Raw { get; init; }

    /// <summary>The prediction: the trimmed text, the label, or the JSON text.</summary>
    public required string Prediction { get; init; }

    /// <summary>The parsed object for the json parser.</summary>
    public JsonElement? Json { get; init; }

    /// <summary>Why parsing failed (not a label, not JSON, schema violations), or null.</summary>
    public string? Error { get; init; }

    /// <summary>True when the answer parsed.</summary>
    public bool Ok => Error is null;
}
