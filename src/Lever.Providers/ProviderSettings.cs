using Lever.Core.Config;

namespace Lever.Providers;

/// <summary>The resilience settings of one provider, from its lever.yaml entry.</summary>
public sealed record ProviderSettings(string Name, string? BaseUrl, string? Model, TimeSpan Timeout, int MaxConcurrency, int MaxRetries)
{
    /// <summary>First retry waits up to this long (full jitter), doubling each retry.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>From a <c>providers:</c> entry.</summary>
    public static ProviderSettings From(string name, ProviderOptions options) => new(name, options.BaseUrl, options.Model,
        TimeSpan.FromSeconds(options.TimeoutSeconds > 0 ? options.TimeoutSeconds : 60), options.MaxConcurrency, Math.Max(0, options.MaxRetries));
}
