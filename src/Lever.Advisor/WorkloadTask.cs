using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>task:</c> what the model does and what the prompt-only system shows today.</summary>
public sealed record WorkloadTask
{
    /// <summary>Required: the kind of task.</summary>
    public required TaskKind Kind { get; init; }

    /// <summary>Number of labels for classification/routing (null: not stated).</summary>
    [Range(2, int.MaxValue)]
    public int? Classes { get; init; }

    /// <summary>Observed symptoms of the prompt-only system (default: none).</summary>
    public IReadOnlyList<Symptom> Symptoms { get; init; } = [];
}
