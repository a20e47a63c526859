namespace Lever.Training.Trainer;

/// <summary>A snapshot for live progress: what a user watches while a run trains.</summary>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    double Loss,
    double? ValidationLoss,
    double LearningRate,
    double TokensPerSecond,
    TimeSpan Eta,
    double MemoryMb,
    string? Event);
