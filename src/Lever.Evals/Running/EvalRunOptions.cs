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

    /// <summary>Examples the few-shot probe shows.</summary>
    public int ProbeK { get; init; } = 3;
}
