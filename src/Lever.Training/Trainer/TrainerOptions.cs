namespace Lever.Training.Trainer;

/// <summary>Hyperparameters of a training run; one flat record, saved with every run so --resume reuses it.</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer steps to take.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Sequences per micro-batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Micro-batches per optimizer step (effective batch = BatchSize × GradientAccumulation).</summary>
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>Tokens per sequence (packed text) or the cut-off for examples.</summary>
    public int SeqLen { get; init; } = 256;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>The cosine floor as a fraction of the peak (0.1: nanoGPT's choice).</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>Linear warm-up steps; null means 5% of the run.</summary>
    public int? WarmupSteps { get; init; }

    /// <summary>Decoupled weight decay on matrices.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Adam β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β2 (0.95 as in Llama/GPT-3 pre-training; also fine for fine-tuning).</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Clip the global gradient norm to this (0: no clipping).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Validation every this many steps (and at the end); 0 disables it.</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>At most this many validation batches per evaluation (a fixed prefix of the validation set).</summary>
    public int EvalBatches { get; init; } = 20;

    /// <summary>Stop after this many evaluations without improvement; null: never stop early.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Checkpoint every this many steps (and at the end, and on Ctrl-C).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>Checkpoints kept besides best/ (older ones are deleted).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Seeds data order, dropout and adapter init.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Fraction of each batch drawn from general text (the forgetting remedy); 0 disables replay.</summary>
    public double ReplayFraction { get; init; }

    /// <summary>Compute dtype of forward and backward (master weights and optimizer state stay float32).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.F32;

    /// <summary>Recompute each decoder layer in the backward instead of keeping its activations (less memory, ~1/3 more compute).</summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Warm-up steps actually used.</summary>
    public int EffectiveWarmup => WarmupSteps ?? Math.Max(1, Steps / 20);

    /// <summary>Checks values, throwing a user error that names the flag.</summary>
    public void Validate()
    {
        static void Require(bool ok, string flag, string what)
        {
            if (!ok) throw new Core.LeverUserException($"{flag}: {what}", "see `lever train --help`");
        }
        Require(Steps >= 1, "--steps", "must be at least 1");
        Require(BatchSize >= 1, "--batch", "must be at least 1");
        Require(GradientAccumulation >= 1, "--grad-accum", "must be at least 1");
        Require(SeqLen >= 2, "--seq-len", "must be at least 2");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "--lr", "must be a positive number");
        Require(ReplayFraction is >= 0 and < 1, "--replay", "must be in [0, 1)");
    }
}
