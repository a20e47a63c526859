namespace Lever.Training.Trainer;

/// <summary>Loss or gradients became NaN/inf; the weights were not updated and the last checkpoint is intact.</summary>
public sealed class TrainingDivergedException(string message, string hint) : Core.LeverUserException(message, hint);
