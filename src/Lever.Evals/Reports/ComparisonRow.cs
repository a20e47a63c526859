namespace Lever.Evals;

/// <summary>One run in a comparison: quality with its bootstrap CI, cost, latency and the paired test against the first run.</summary>
public sealed record ComparisonRow
{
    /// <summary>Run id.</summary>
    public required string Run { get; init; }

    /// <summary>Recipe name.</summary>
    public required string Recipe { get; init; }

    /// <summary>Items with a result.</summary>
    public int Items { get; init; }

    /// <summary>Pass rate of the primary scorer.</summary>
    public double Quality { get; init; }

    /// <summary>Lower end of the bootstrap 95% CI of <see cref="Quality"/>.</summary>
    public double QualityCiLow { get; init; }

    /// <summary>Upper end of the bootstrap 95% CI of <see cref="Quality"/>.</summary>
    public double QualityCiHigh { get; init; }

    /// <summary>USD per 1,000 answers.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("cost_per_1k_usd")]
    public double CostPer1kUsd { get; init; }

    /// <summary>Median latency, ms.</summary>
    public double LatencyMsP50 { get; init; }

    /// <summary>95th-percentile latency, ms.</summary>
    public double LatencyMsP95 { get; init; }

    /// <summary>Items answered by both this run and the first.</summary>
    public int PairedItems { get; init; }

    /// <summary>Paired items only the first run got right.</summary>
    public int OnlyBaselineRight { get; init; }

    /// <summary>Paired items only this run got right.</summary>
    public int OnlyThisRight { get; init; }

    /// <summary>McNemar exact p-value against the first run (1 for the first run itself).</summary>
    public double McNemarP { get; init; }
}
