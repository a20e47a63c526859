namespace Lever.Lab.Internal;

/// <summary>
/// The precision summary.json reports measurements at. The advisor's evidence is built at the same precision, so the
/// lab's in-process advice and <c>lever advise</c> on the written summary compare the same numbers.
/// </summary>
internal static class SummaryPrecision
{
    /// <summary>Accuracy and macro-F1: six decimals.</summary>
    public static double Quality(double fraction) => Math.Round(fraction, 6);

    /// <summary>Latencies in milliseconds: four decimals.</summary>
    public static double LatencyMs(double ms) => Math.Round(ms, 4);

    /// <summary>Training time in seconds: three decimals.</summary>
    public static double Seconds(double seconds) => Math.Round(seconds, 3);
}
