namespace Lever.Training.Trainer;

/// <summary>One optimizer step in the loss history (saved in every checkpoint, so a resumed run continues it).</summary>
public sealed record StepRecord(int Step, double Loss, double LearningRate, double GradNorm, double? ValidationLoss);
