namespace Lever.Registry;

/// <summary>lever.yaml's <c>gate:</c> section: how <c>lever registry promote --gate</c> decides.</summary>
public sealed class GateOptions
{
    /// <summary>The eval metric compared (a key of the run summary's metrics).</summary>
    public string Metric { get; set; } = "accuracy";

    /// <summary>The candidate may trail the current holder by at most this many percentage points.</summary>
    public double TolerancePoints { get; set; } = 1.0;

    /// <summary>Fine-tuned weights: the general-text loss may rise by at most this many nats (the forgetting budget).</summary>
    public double MaxGeneralLossIncrease { get; set; } = 0.05;
}
