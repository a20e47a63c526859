using System.Globalization;

namespace Lever.Core.Prices;

/// <summary>
/// A hosted model's measured serving speed as a public benchmark reports it: median time to first token and median
/// output tokens per second, with where and when. The advisor turns it into a p95 estimate (policy
/// <c>latency.p95_over_median</c>) instead of a size-class guess.
/// </summary>
/// <param name="TtftMsMedian">Median time to first token, milliseconds.</param>
/// <param name="OutputTokensPerSecondMedian">Median output tokens per second once streaming.</param>
/// <param name="Source">Where the figures were read.</param>
/// <param name="Date">When they were measured or verified.</param>
public sealed record HostedLatency(double TtftMsMedian, double OutputTokensPerSecondMedian, string Source, string Date)
{
    /// <summary>"TTFT x ms, y tokens/s median (source, date)" for basis strings.</summary>
    public string Cite => string.Create(CultureInfo.InvariantCulture, $"TTFT {TtftMsMedian:0} ms, {OutputTokensPerSecondMedian:0} output tokens/s median ({Source}, {Date})");
}
