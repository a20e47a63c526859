using System.Text.Json.Serialization;
using Lever.Core.Levers;

namespace Lever.Advisor;

/// <summary>
/// One lever priced for the workload: one-time cost, running cost at the declared volume, 12-month total cost
/// of ownership, and where it breaks even against the primary. <see cref="MonthlyAt"/> is the whole cost curve,
/// so the break-even points and the report's chart come from the same function as the table.
/// </summary>
public sealed record LeverOption
{
    /// <summary>The lever.</summary>
    public required LeverKind Lever { get; init; }

    /// <summary>What serves the answers (price-book id, or an open model on own GPUs).</summary>
    public required string Model { get; init; }

    /// <summary>Hosted API, or self-hosted on GPUs priced per hour.</summary>
    public required string Route { get; init; }

    /// <summary>False when the lever cannot do this job as declared (see <see cref="WhyNot"/>); it is still priced.</summary>
    public bool Viable { get; init; } = true;

    /// <summary>Why it is not viable, or null.</summary>
    public string? WhyNot { get; init; }

    /// <summary>One-time costs (setup, data, training, indexing).</summary>
    public required IReadOnlyList<CostItem> OneTime { get; init; }

    /// <summary>Monthly costs that do not depend on volume (index hosting, re-embedding, retraining, ops).</summary>
    public required IReadOnlyList<CostItem> MonthlyFixed { get; init; }

    /// <summary>The volume-dependent monthly cost at the declared volume, with its basis.</summary>
    public required CostItem Usage { get; init; }

    /// <summary>Declared requests a month the figures below are taken at.</summary>
    public required double RequestsPerMonth { get; init; }

    /// <summary>Sum of <see cref="OneTime"/>.</summary>
    public double OneTimeUsd => OneTime.Sum(i => i.Usd);

    /// <summary>Monthly cost at the declared volume.</summary>
    public double MonthlyUsd => MonthlyFixed.Sum(i => i.Usd) + Usage.Usd;

    /// <summary>Running cost per 1,000 answers at the declared volume (fixed monthly costs spread over the volume).</summary>
    public double CostPer1kAnswersUsd => MonthlyUsd / RequestsPerMonth * 1000;

    /// <summary>One-time plus twelve months at the declared volume.</summary>
    public double Tco12MonthsUsd => OneTimeUsd + 12 * MonthlyUsd;

    /// <summary>Estimated p95 latency in milliseconds.</summary>
    public required double LatencyP95Ms { get; init; }

    /// <summary>How the latency estimate was made.</summary>
    public required string LatencyBasis { get; init; }

    /// <summary>Monthly volume where this lever's 12-month TCO equals the primary's, or null when the curves never cross.</summary>
    public double? BreakEvenRequestsPerMonth { get; init; }

    /// <summary>What the break-even means here ("cheaper above", "always cheaper", …).</summary>
    public string BreakEvenNote { get; init; } = "";

    /// <summary>Monthly cost as a function of monthly requests (fixed + usage).</summary>
    [JsonIgnore]
    public required Func<double, double> MonthlyAt { get; init; }

    /// <summary>12-month TCO as a function of monthly requests.</summary>
    public double Tco12At(double requestsPerMonth) => OneTimeUsd + 12 * MonthlyAt(requestsPerMonth);
}
