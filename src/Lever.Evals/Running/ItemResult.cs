using System.Text.Json.Serialization;
using Lever.Evals.Cost;
using Lever.Evals.Diagnosis;

namespace Lever.Evals.Running;

/// <summary>One line of results.jsonl: an item's prediction, scores, latency, tokens, cost and diagnosis.</summary>
public sealed record ItemResult
{
    /// <summary>Item id.</summary>
    public required string Id { get; init; }

    /// <summary>Line in the eval set.</summary>
    public int Line { get; init; }

    /// <summary>Item hash (cache key with the recipe hash).</summary>
    public required string ItemHash { get; init; }

    /// <summary>Recipe hash.</summary>
    public required string RecipeHash { get; init; }

    /// <summary>Expected answer text.</summary>
    public string? Expected { get; init; }

    /// <summary>The parsed prediction.</summary>
    public required string Prediction { get; init; }

    /// <summary>The raw answer.</summary>
    public required string Raw { get; init; }

    /// <summary>Why the parser refused the answer, if it did.</summary>
    public string? ParseError { get; init; }

    /// <summary>Whether the primary (first) scorer passed.</summary>
    public bool Passed { get; init; }

    /// <summary>Scorer name → value in [0, 1].</summary>
    public required Dictionary<string, double> Scores { get; init; }

    /// <summary>Scorer name → pass.</summary>
    public Dictionary<string, bool> ScorePassed { get; init; } = [];

    /// <summary>Scorer name → detail, where a scorer gave one.</summary>
    public Dictionary<string, string> ScoreDetails { get; init; } = [];

    /// <summary>The <c>json</c> scorer's field counts (expected, answered, right), when it ran; omitted otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Scoring.FieldCounts? JsonFields { get; init; }

    /// <summary>Wall time of the model call, milliseconds.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Tokens of the model call.</summary>
    public required TokenUsage Usage { get; init; }

    /// <summary>USD for the answer (tokens + compute).</summary>
    public double CostUsd { get; init; }

    /// <summary>What the provider billed, when the answerer priced its own call (see <see cref="RecipeAnswer.BilledUsd"/>); omitted otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BilledUsd { get; init; }

    /// <summary>Ids of the passages the prompt held.</summary>
    public List<string> Passages { get; init; } = [];

    /// <summary>Documents retrieval ranked, best first, when deeper than the passages (see <see cref="RecipeAnswer.Ranked"/>); omitted otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Ranked { get; init; }

    /// <summary>The document the answer cites, when the answerer knows it; omitted otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Cited { get; init; }

    /// <summary>Ids of the few-shot examples the prompt held.</summary>
    public List<string> Examples { get; init; } = [];

    /// <summary>Tags of the item.</summary>
    public List<string> Tags { get; init; } = [];

    /// <summary>True when the answer came from the (recipe, item) cache instead of a new call.</summary>
    public bool Cached { get; init; }

    /// <summary>Why it failed, for failed items.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FailureDiagnosis? Diagnosis { get; init; }
}
