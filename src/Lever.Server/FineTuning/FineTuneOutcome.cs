namespace Lever.Server.FineTuning;

/// <summary>How a training run ended.</summary>
public sealed record FineTuneOutcome
{
    /// <summary>Optimizer steps done.</summary>
    public int Steps { get; init; }

    /// <summary>Mean training loss over the last steps.</summary>
    public double TrainLoss { get; init; }

    /// <summary>Validation loss of the saved weights, or null.</summary>
    public double? ValidLoss { get; init; }

    /// <summary>Tokens trained on (all epochs), or null when unknown.</summary>
    public long? TrainedTokens { get; init; }

    /// <summary>True when the run stopped early on cancellation (a checkpoint is written; nothing was saved as the result).</summary>
    public bool Interrupted { get; init; }
}
