using Lever.Core.Config;

namespace Lever.Advisor;

/// <summary>
/// What the team declared about its task: the advisor's whole input besides prices, policy and evidence.
/// Every field but <c>task.kind</c> has a documented default (docs/ADVISOR.md); <see cref="WorkloadReader"/> binds it.
/// </summary>
public sealed record Workload
{
    /// <summary>The task (<c>task:</c>).</summary>
    public required WorkloadTask Task { get; init; }

    /// <summary>The knowledge the answers need (<c>knowledge:</c>).</summary>
    public WorkloadKnowledge Knowledge { get; init; } = new();

    /// <summary>Training data on hand (<c>data:</c>).</summary>
    public WorkloadData Data { get; init; } = new();

    /// <summary>Traffic shape (<c>workload:</c>).</summary>
    [YamlName("workload")]
    public WorkloadTraffic Traffic { get; init; } = new();

    /// <summary>Deployment, compliance, budget (<c>constraints:</c>).</summary>
    public WorkloadConstraints Constraints { get; init; } = new();

    /// <summary>Measured or expected quality (<c>quality:</c>).</summary>
    public WorkloadQuality Quality { get; init; } = new();

    /// <summary>Models in play (<c>model:</c>).</summary>
    public WorkloadModels Model { get; init; } = new();

    /// <summary>Paths of eval run summaries (<c>evidence:</c>), resolved against the workload file's folder.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];
}
