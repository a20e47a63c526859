namespace Lever.Advisor;

/// <summary>
/// Where two cost curves cross. The curves are not all straight lines (cache writes saturate, self-hosted GPUs
/// have an always-on floor), so the crossing is found numerically: a log-spaced scan for the first sign change
/// of the difference, then bisection in log space.
/// </summary>
public static class BreakEven
{
    /// <summary>Lowest monthly volume scanned.</summary>
    public const double MinVolume = 1;

    /// <summary>Highest monthly volume scanned.</summary>
    public const double MaxVolume = 1e10;

    /// <summary>The result: the crossing volume (or null), and which side of it the option is cheaper on.</summary>
    /// <param name="Volume">Monthly requests where the two costs are equal, or null if they do not cross in range.</param>
    /// <param name="CheaperAbove">At the crossing, the option becomes cheaper for larger volumes.</param>
    /// <param name="AlwaysCheaper">No crossing and the option is cheaper over the whole range.</param>
    /// <param name="Identical">The two curves coincide over the whole range.</param>
    public sealed record Result(double? Volume, bool CheaperAbove, bool AlwaysCheaper, bool Identical = false);

    /// <summary>First volume in [<see cref="MinVolume"/>, <see cref="MaxVolume"/>] where <paramref name="option"/> and <paramref name="reference"/> cost the same.</summary>
    public static Result Find(Func<double, double> option, Func<double, double> reference)
    {
        double Diff(double logR)
        {
            var r = Math.Pow(10, logR);
            var a = option(r);
            var b = reference(r);
            // Below rounding noise the curves are equal: do not report a crossing made of floating-point dust.
            return Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b))) ? 0 : a - b;
        }
        const int steps = 400;
        double lo = Math.Log10(MinVolume), hi = Math.Log10(MaxVolume);
        double? prevX = null;
        var prev = 0.0;
        for (var i = 0; i <= steps; i++)
        {
            var x = lo + (hi - lo) * i / steps;
            var d = Diff(x);
            if (d == 0) continue;
            if (prevX is { } px && Math.Sign(d) != Math.Sign(prev))
            {
                double a = px, b = x;
                for (var k = 0; k < 80; k++)
                {
                    var m = (a + b) / 2;
                    var dm = Diff(m);
                    if (dm != 0 && Math.Sign(dm) == Math.Sign(prev)) a = m;
                    else b = m;
                }
                return new Result(Math.Pow(10, (a + b) / 2), d < 0, false);
            }
            prevX = x;
            prev = d;
        }
        return prevX is null ? new Result(null, false, false, Identical: true) : new Result(null, false, prev < 0);
    }
}
