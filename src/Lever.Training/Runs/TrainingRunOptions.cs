using Lever.Training.Lora;
using Lever.Training.Trainer;

namespace Lever.Training.Runs;

/// <summary>Everything a <c>lever train</c> run was asked to do; saved as run.json so --resume repeats it exactly.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>The method.</summary>
    public TrainingMethod Method { get; init; }

    /// <summary>Base checkpoint folder (HF layout).</summary>
    public required string Model { get; init; }

    /// <summary>Training JSONL.</summary>
    public required string Data { get; init; }

    /// <summary>Validation JSONL; null: a seeded slice of <see cref="Data"/>.</summary>
    public string? Validation { get; init; }

    /// <summary>Share of <see cref="Data"/> held out for validation when no file is given.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Output folder (also the run folder: checkpoints, metrics).</summary>
    public required string Output { get; init; }

    /// <summary>Passes over the data; when set, it decides the number of steps.</summary>
    public double? Epochs { get; init; }

    /// <summary>Trainer hyperparameters.</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>LoRA hyperparameters (lora, qlora).</summary>
    public LoraOptions Lora { get; init; } = new();

    /// <summary>QLoRA: also quantize the block scales.</summary>
    public bool DoubleQuantization { get; init; } = true;

    /// <summary>Size and last-write time of the data files when the run started; --resume refuses files that changed.</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>General text (JSONL {"text"}) for the forgetting meter and replay; null: the base model's pre-training validation slice, if known.</summary>
    public string? General { get; init; }

    /// <summary>Activation checkpointing; null: chosen by <see cref="MemoryPlan"/> (on for lora/qlora when activations dominate).</summary>
    public bool? GradientCheckpointing { get; init; }

    /// <summary>Return freed heap to the OS (mallopt M_MMAP_THRESHOLD 64 KiB); null: chosen by <see cref="MemoryPlan"/>.</summary>
    public bool? ReturnFreedMemory { get; init; }
}
