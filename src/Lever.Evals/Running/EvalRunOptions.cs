namespace Lever.Evals.Running;

/// <summary>How an eval run is carried out.</summary>
public sealed class EvalRunOptions
{
    /// <summary>Items answered at once (the provider middleware may limit further).</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Diagnose failed items (runs retrieval and few-shot probes, which cost extra calls).</summary>
    public bool Diagnose { get; init; } = true;

    /// <summary>Folder of the (recipe hash, item hash) answer cache; null disables it.</summary>
    public string? CacheDir { get; init; }

    /// <summary>After this many model-call failures in a row the run stops (a provider outage) and can be resumed.</summary>
    public int MaxConsecutiveFailures { get; init; } = 5;

    /// <summary>
    /// Stop at the first failed answer and rethrow it once the summary of what finished is written (the lab: a local
    /// recipe's failure is a bug, a hosted one's ends that provider's rows); otherwise failures go to errors.jsonl and
    /// the run goes on until <see cref="MaxConsecutiveFailures"/>.
    /// </summary>
    public bool StopOnFirstFailure { get; init; }

    /// <summary>
    /// fsync each result line (survives a power cut); off, a flushed line still survives kill -9 — enough for answers
    /// that take microseconds to give again (the lab's local rows), where an fsync per line would dominate the run.
    /// </summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>Examples the few-shot probe shows.</summary>
    public int ProbeK { get; init; } = 3;
}
