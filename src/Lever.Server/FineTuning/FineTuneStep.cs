namespace Lever.Server.FineTuning;

/// <summary>One optimizer step of a running job, reported by the trainer.</summary>
/// <param name="Step">The step just finished (1-based).</param>
/// <param name="TotalSteps">Steps in the whole job.</param>
/// <param name="TrainLoss">Mean training loss of the step.</param>
/// <param name="ValidLoss">Validation loss when the step evaluated, else null.</param>
/// <param name="LearningRate">Learning rate of the step.</param>
/// <param name="Checkpoint">True when a checkpoint was written after this step.</param>
public sealed record FineTuneStep(int Step, int TotalSteps, double TrainLoss, double? ValidLoss, double LearningRate, bool Checkpoint);
