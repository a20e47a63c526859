using System.Text.Json.Serialization;

namespace Lever.Training.Runs;

/// <summary>The outcome of <c>lever train</c>; printed as the last line with --json (snake_case fields).</summary>
public sealed record TrainingSummary
{
    /// <summary>pretrain, cpt, full, lora or qlora.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>Optimizer steps completed.</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; }

    /// <summary>Mean training loss over the last steps (up to 10).</summary>
    [JsonPropertyName("train_loss")] public double TrainLoss { get; init; }

    /// <summary>Validation loss of the saved weights (the best evaluation), or null without validation data.</summary>
    [JsonPropertyName("val_loss")] public double? ValidationLoss { get; init; }

    /// <summary>Validation loss of the starting model.</summary>
    [JsonPropertyName("base_val_loss")] public double? BaseValidationLoss { get; init; }

    /// <summary>Compute precision: f32, or bf16 (bfloat16 matmuls over float32 master weights).</summary>
    [JsonPropertyName("precision")] public string Precision { get; init; } = "f32";

    /// <summary>True when decoder layers were recomputed in the backward (activation checkpointing).</summary>
    [JsonPropertyName("gradient_checkpointing")] public bool GradientCheckpointing { get; init; }

    /// <summary>True when freed heap blocks of 64 KiB or more went back to the OS at once (mallopt).</summary>
    [JsonPropertyName("return_freed_memory")] public bool ReturnFreedMemory { get; init; }

    /// <summary>Why the memory settings are what they are: the estimate (activations vs weights+optimizer) or a flag.</summary>
    [JsonPropertyName("memory_reason")] public string? MemoryReason { get; init; }

    /// <summary>Parameters that trained.</summary>
    [JsonPropertyName("trainable_params")] public long TrainableParameters { get; init; }

    /// <summary>All parameters of the model (base + adapters).</summary>
    [JsonPropertyName("total_params")] public long TotalParameters { get; init; }

    /// <summary>Training throughput of this session (input tokens per second).</summary>
    [JsonPropertyName("tokens_per_second")] public double TokensPerSecond { get; init; }

    /// <summary>Peak resident memory of the process in MiB.</summary>
    [JsonPropertyName("peak_memory_mb")] public double PeakMemoryMb { get; init; }

    /// <summary>Folder with the result: a PEFT adapter (lora, qlora) or an HF checkpoint.</summary>
    [JsonPropertyName("output")] public required string Output { get; init; }

    /// <summary>completed, early_stopped or interrupted.</summary>
    [JsonPropertyName("stop")] public required string Stop { get; init; }

    /// <summary>Loss on general text before the run (forgetting meter), or null when there is no general text.</summary>
    [JsonPropertyName("general_loss_before")] public double? GeneralLossBefore { get; init; }

    /// <summary>Loss on general text after the run.</summary>
    [JsonPropertyName("general_loss_after")] public double? GeneralLossAfter { get; init; }

    /// <summary>QLoRA: NF4 bytes of the quantized projections divided by their float32 bytes.</summary>
    [JsonPropertyName("base_weight_memory_ratio")] public double? BaseWeightMemoryRatio { get; init; }
}
