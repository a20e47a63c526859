using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lever.Evals.Running;

/// <summary>JSON conventions of every file an eval run writes: snake_case, no indentation in JSONL.</summary>
public static class EvalJson
{
    /// <summary>Options for results.jsonl and summary.json.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Indented variant for summary.json.</summary>
    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };
}
