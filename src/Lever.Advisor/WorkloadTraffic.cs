using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>workload:</c> the traffic the answer must serve.</summary>
public sealed record WorkloadTraffic
{
    /// <summary>Requests a month (default 20,000).</summary>
    [Range(1, double.MaxValue)]
    public double RequestsPerMonth { get; init; } = 20_000;

    /// <summary>Input tokens per request, shared prefix included, retrieved context excluded (default 800).</summary>
    [Range(1, double.MaxValue)]
    public double InputTokens { get; init; } = 800;

    /// <summary>Output tokens per request (default 200).</summary>
    [Range(1, double.MaxValue)]
    public double OutputTokens { get; init; } = 200;

    /// <summary>Identical leading tokens across requests, part of <see cref="InputTokens"/> (default 0).</summary>
    [Range(0, double.MaxValue)]
    public double SharedPrefixTokens { get; init; }

    /// <summary>The latency target at the 95th percentile in milliseconds (default 3,000).</summary>
    [Range(1, double.MaxValue)]
    public double LatencyP95Ms { get; init; } = 3_000;
}
