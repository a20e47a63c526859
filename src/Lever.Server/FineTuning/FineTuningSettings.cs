using Lever.Core.Config;

namespace Lever.Server.FineTuning;

/// <summary>lever.yaml's <c>server.fine_tuning:</c>: limits and resources of the fine-tuning API (docs/SERVER.md).</summary>
public sealed class FineTuningSettings
{
    /// <summary>Largest uploaded file in bytes (413 above it); the request body is also held to <c>server.limits.max_body_bytes</c>.</summary>
    public long MaxFileBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Jobs waiting or running at once (429 beyond it).</summary>
    public int MaxQueuedJobs { get; set; } = 16;

    /// <summary>CPU threads a job trains on; null: the machine's cores − 1 (at least 1), so serving goes on.</summary>
    public int? Threads { get; set; }

    /// <summary>Optimizer steps between checkpoints (what a restarted server resumes from).</summary>
    public int CheckpointEvery { get; set; } = 10;

    /// <summary>The threads a job uses: <see cref="Threads"/>, or cores − 1 with a minimum of 1.</summary>
    public int EffectiveThreads => Threads ?? Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Checks the values; errors cite lever.yaml's line.</summary>
    public void Check(LeverConfig config)
    {
        void Positive(bool ok, string field, string what)
        {
            if (!ok) throw config.ErrorAt("server.fine_tuning." + field, what, "set a positive number (docs/SERVER.md, fine-tuning)");
        }
        Positive(MaxFileBytes > 0, "max_file_bytes", $"{MaxFileBytes} is not a positive size");
        Positive(MaxQueuedJobs > 0, "max_queued_jobs", $"{MaxQueuedJobs} is not a positive count");
        Positive(Threads is null or > 0, "threads", $"{Threads} is not a positive count");
        Positive(CheckpointEvery > 0, "checkpoint_every", $"{CheckpointEvery} is not a positive count");
    }
}
