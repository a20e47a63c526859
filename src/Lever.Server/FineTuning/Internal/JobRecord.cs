namespace Lever.Server.FineTuning.Internal;

/// <summary>A fine-tuning job as stored in jobs/&lt;id&gt;/job.json (rewritten atomically at every change).</summary>
internal sealed record JobRecord
{
    public required string Id { get; init; }

    public long CreatedAt { get; init; }

    /// <summary>Creation order on this server (created_at has only seconds): the queue runs jobs in it, lists show it newest first.</summary>
    public long Sequence { get; init; }

    public long? FinishedAt { get; init; }

    public required string Model { get; init; }

    public required string TrainingFile { get; init; }

    public string? ValidationFile { get; init; }

    public string? Suffix { get; init; }

    public int Seed { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }

    public required string Status { get; init; }

    public JobError? Error { get; init; }

    /// <summary>The id the result is served as (<c>ft:&lt;base&gt;:&lt;suffix&gt;:&lt;id&gt;</c>); reported as fine_tuned_model once the job succeeded.</summary>
    public required string PlannedModel { get; init; }

    /// <summary>The trainer (method.lever); null in jobs stored before it existed, which ran LoRA.</summary>
    public FineTuneMethod? Method { get; init; }

    /// <summary>Requested hyperparameters; null is "auto".</summary>
    public int? RequestedEpochs { get; init; }

    public int? RequestedBatchSize { get; init; }

    public double? RequestedLearningRateMultiplier { get; init; }

    /// <summary>Resolved hyperparameters (after the files were validated).</summary>
    public int? Epochs { get; init; }

    public int? BatchSize { get; init; }

    public double? LearningRateMultiplier { get; init; }

    public long? TrainedTokens { get; init; }

    /// <summary>The identity id that created the job.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>The registry version of the result (NAME@vN), once registered.</summary>
    public string? Registered { get; init; }

    public bool Terminal => Status is FineTuningStatus.Succeeded or FineTuningStatus.Failed or FineTuningStatus.Cancelled;
}
