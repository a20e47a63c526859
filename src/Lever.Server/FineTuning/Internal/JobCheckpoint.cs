namespace Lever.Server.FineTuning.Internal;

/// <summary>One line of a job's checkpoints.jsonl: a checkpoint the trainer wrote, with the step's metrics.</summary>
internal sealed record JobCheckpoint(string Id, long CreatedAt, string FineTunedModelCheckpoint, int StepNumber, double TrainLoss, double? ValidLoss);
