using System.Collections.Concurrent;

namespace Lever.Providers;

/// <summary>
/// Thread-safe record of every call through the provider middleware, so a command can report what a session
/// spent (tokens, retries) across recipes, judges and probes, not only what one eval item cost.
/// </summary>
public sealed class UsageLedger
{
    private readonly ConcurrentQueue<CallUsage> _calls = new();

    /// <summary>All calls so far, in completion order.</summary>
    public IReadOnlyList<CallUsage> Calls => [.. _calls];

    /// <summary>Records one call.</summary>
    public void Record(CallUsage usage) => _calls.Enqueue(usage);

    /// <summary>Total input tokens (cached included).</summary>
    public long InputTokens => _calls.Sum(c => c.InputTokens);

    /// <summary>Total output tokens.</summary>
    public long OutputTokens => _calls.Sum(c => c.OutputTokens);

    /// <summary>Total retries.</summary>
    public int Retries => _calls.Sum(c => c.Retries);
}
