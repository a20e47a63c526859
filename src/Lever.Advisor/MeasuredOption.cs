using Lever.Core.Levers;

namespace Lever.Advisor;

/// <summary>
/// One measured recipe as the decision saw it: quality with its 95% interval, cost at the declared volume, the gain over
/// the best recipe of the simpler levers, and what the decision made of it. The rows of the advice's evidence table.
/// </summary>
public sealed record MeasuredOption
{
    /// <summary>Recipe name.</summary>
    public required string Recipe { get; init; }

    /// <summary>The lever it pulls.</summary>
    public required LeverKind Lever { get; init; }

    /// <summary>The evidence row (null for a row derived from another, such as a measured prompt with prompt caching).</summary>
    public RecipeEvidence? Evidence { get; init; }

    /// <summary>Measured quality, 0–1.</summary>
    public required double Quality { get; init; }

    /// <summary>95% interval of <see cref="Quality"/> (Wilson), when the item count is known.</summary>
    public double? QualityLow { get; init; }

    /// <summary>Upper end of the 95% interval of <see cref="Quality"/>.</summary>
    public double? QualityHigh { get; init; }

    /// <summary>Measured (or derived) USD per 1,000 answers; null when not measured.</summary>
    public double? CostPer1kUsd { get; init; }

    /// <summary>Cost a month at the declared volume (answers only).</summary>
    public double? MonthlyUsd { get; init; }

    /// <summary>Measured one-time training plus 12 months at the declared volume: what "cost at the volume" compares.</summary>
    public double? Tco12Usd { get; init; }

    /// <summary>The best recipe of the simpler levers it is measured against (null for the simplest measured).</summary>
    public string? SimplerRecipe { get; init; }

    /// <summary>Its gain over <see cref="SimplerRecipe"/> (null when there is none).</summary>
    public GainInterval? GainVsSimpler { get; init; }

    /// <summary>What the decision made of it: <c>primary</c>, <c>tie</c> (as good as the best, not chosen), <c>worse</c>, <c>excluded</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Why, in a few words.</summary>
    public required string Note { get; init; }
}
