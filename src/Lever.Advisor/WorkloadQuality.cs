using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>quality:</c> what is known about accuracy today and what fine-tuning is expected to add.</summary>
public sealed record WorkloadQuality
{
    /// <summary>Accuracy of today's prompt-only system, 0–1 (null: not measured).</summary>
    [Range(0, 1)]
    public double? CurrentAccuracy { get; init; }

    /// <summary>Expected accuracy gain from fine-tuning in points (null: unknown).</summary>
    [Range(-100, 100)]
    public double? ExpectedFineTuneGainPoints { get; init; }
}
