namespace Lever.Evals.Recipes;

/// <summary>Output parser: how a raw answer becomes a prediction.</summary>
public sealed class ParserOptions
{
    /// <summary><c>text</c> (trimmed answer), <c>label</c> (one of <see cref="Labels"/>) or <c>json</c> (an object, checked against <see cref="Schema"/>).</summary>
    public string Kind { get; set; } = "text";

    /// <summary>The label set for <c>label</c>.</summary>
    public List<string> Labels { get; set; } = [];

    /// <summary>JSON Schema (as JSON text) for <c>json</c>.</summary>
    public string? Schema { get; set; }

    /// <summary>Path of a JSON Schema file for <c>json</c> (read when the recipe is loaded).</summary>
    public string? SchemaFile { get; set; }
}
