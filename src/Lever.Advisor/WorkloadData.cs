using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>data:</c> what the team can train on.</summary>
public sealed record WorkloadData
{
    /// <summary>(input, desired output) pairs on hand (default 0).</summary>
    [Range(0, double.MaxValue)]
    public long LabeledExamples { get; init; }

    /// <summary>Unlabeled in-domain text in tokens (default 0).</summary>
    [Range(0, double.MaxValue)]
    public long UnlabeledDomainTokens { get; init; }
}
