namespace Lever.Server.FineTuning;

/// <summary>One fine-tuning job as the trainer sees it: resolved hyperparameters, files on disk, the output folder.</summary>
public sealed record FineTuneRequest
{
    /// <summary>Base checkpoint folder.</summary>
    public required string BaseModelPath { get; init; }

    /// <summary>Training JSONL (the stored upload).</summary>
    public required string TrainingFile { get; init; }

    /// <summary>Validation JSONL, or null (then the trainer holds none out).</summary>
    public string? ValidationFile { get; init; }

    /// <summary>The run folder: the adapter, checkpoints/ and metrics.jsonl land here.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>LoRA, QLoRA or full fine-tuning, and the LoRA rank.</summary>
    public FineTuneMethod Method { get; init; } = FineTuneMethod.Default;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; }

    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; }

    /// <summary>Multiplies the trainer's default LoRA learning rate.</summary>
    public double LearningRateMultiplier { get; init; } = 1;

    /// <summary>Seed for data order, dropout and adapter initialisation.</summary>
    public int Seed { get; init; }

    /// <summary>CPU threads the trainer may use.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Optimizer steps between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>Continue the run in <see cref="OutputDirectory"/> from its last checkpoint.</summary>
    public bool Resume { get; init; }
}
