namespace Lever.Core.Prices;

/// <summary>A hosted (or fine-tuned hosted) model's token prices in USD per 1M tokens, with where they came from.</summary>
/// <param name="Id">Price-book id (<c>gpt-4o</c>, <c>ft:gpt-4o-mini</c>).</param>
/// <param name="Input">Uncached input tokens.</param>
/// <param name="CachedInput">Cache reads, when the provider lists them.</param>
/// <param name="CacheWrite">Cache writes (5-minute lifetime), only where the provider charges a premium for them.</param>
/// <param name="Output">Output tokens.</param>
/// <param name="Source">Where the figure was read.</param>
/// <param name="Date">When it was read.</param>
public sealed record ModelPrice(string Id, double Input, double? CachedInput, double? CacheWrite, double Output, string Source, string Date)
{
    /// <summary>Cache writes with a 1-hour lifetime, where the provider offers them (Anthropic: 2× input); null otherwise.</summary>
    public double? CacheWrite1h { get; init; }

    /// <summary>Where <see cref="CacheWrite1h"/> was read, and when; null without one.</summary>
    public string? CacheWrite1hSource { get; init; }

    /// <summary>The model's measured serving speed (public benchmark), or null: the advisor then uses its size-class estimate.</summary>
    public HostedLatency? Latency { get; init; }

    /// <summary>"id (source, date)" for basis strings.</summary>
    public string Cite => $"{Id} ({Source}, {Date})";
}
