namespace Lever.Training.Trainer;

/// <summary>What a finished (or stopped) run achieved.</summary>
public sealed record TrainingResult(
    TrainingStop Stop,
    TrainerState State,
    double TrainLoss,
    double? ValidationLoss,
    double TokensPerSecond,
    double PeakMemoryMb);
