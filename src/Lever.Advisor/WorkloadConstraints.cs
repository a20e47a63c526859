using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>constraints:</c> where it may run, how regulated it is, what it may cost.</summary>
public sealed record WorkloadConstraints
{
    /// <summary>Cloud APIs allowed, or on-prem only (default cloud).</summary>
    public Deployment Deployment { get; init; } = Deployment.Cloud;

    /// <summary>Compliance burden (default moderate).</summary>
    public ComplianceLevel Compliance { get; init; } = ComplianceLevel.Moderate;

    /// <summary>What the team can spend up front, engineering time included (default 5,000 USD).</summary>
    [Range(0, double.MaxValue)]
    public double OneTimeBudgetUsd { get; init; } = 5_000;

    /// <summary>Largest single GPU available for self-hosting, GB (null: none stated; policy default when self-hosting).</summary>
    [Range(1, double.MaxValue)]
    public double? GpuMemoryGb { get; init; }
}
