namespace Lever.Training.Trainer;

/// <summary>Everything besides tensors that a resumed run needs to continue exactly where a checkpoint left off.</summary>
public sealed record TrainerState
{
    /// <summary>Optimizer steps completed.</summary>
    public int Step { get; init; }

    /// <summary>Best validation loss so far (null before the first evaluation).</summary>
    public double? BestValidationLoss { get; init; }

    /// <summary>Step of <see cref="BestValidationLoss"/>.</summary>
    public int BestStep { get; init; }

    /// <summary>Evaluations since the best one (for early stopping).</summary>
    public int EvaluationsWithoutImprovement { get; init; }

    /// <summary>Training tokens (inputs) processed.</summary>
    public long TokensSeen { get; init; }

    /// <summary>Training time so far, across resumes.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The loss curve.</summary>
    public IReadOnlyList<StepRecord> History { get; init; } = [];
}
