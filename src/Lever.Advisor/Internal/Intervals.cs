namespace Lever.Advisor.Internal;

/// <summary>What a quality comparison needs of a measured recipe: its quality, item count and per-item outcomes.</summary>
internal sealed record Measured(double Quality, long? Items, IReadOnlyDictionary<string, ItemOutcome> Outcomes, bool IsAccuracy);

/// <summary>
/// 95% intervals for measured qualities and their differences: Wilson for one accuracy; for a difference, McNemar's
/// paired interval on shared items scored right/wrong, a seeded paired bootstrap on shared items with scores, an unpaired
/// normal interval when only aggregates and item counts are known, and none (face value) without item counts.
/// </summary>
internal static class Intervals
{
    private const double Z = 1.959964;

    /// <summary>Wilson score interval of a proportion <paramref name="p"/> on <paramref name="n"/> items.</summary>
    public static (double Low, double High)? Wilson(double p, long? n)
    {
        if (n is not > 0) return null;
        var nn = (double)n.Value;
        var denom = 1 + Z * Z / nn;
        var centre = (p + Z * Z / (2 * nn)) / denom;
        var half = Z * Math.Sqrt(p * (1 - p) / nn + Z * Z / (4 * nn * nn)) / denom;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The gain of <paramref name="a"/> over <paramref name="b"/> in points, with its interval.</summary>
    public static GainInterval Gain(Measured a, Measured b, double tolerancePoints, int resamples)
    {
        var shared = a.Outcomes.Count > 0 && b.Outcomes.Count > 0 ? a.Outcomes.Keys.Where(b.Outcomes.ContainsKey).ToArray() : [];
        if (shared.Length > 0)
        {
            if (a.IsAccuracy && b.IsAccuracy)
            {
                long better = 0, worse = 0;
                foreach (var k in shared)
                {
                    var (x, y) = (a.Outcomes[k].Correct, b.Outcomes[k].Correct);
                    if (x && !y) better++;
                    else if (!x && y) worse++;
                }
                double n = shared.Length;
                var d = (better - worse) / n;
                var se = Math.Sqrt(Math.Max(0, better + worse - (better - worse) * (double)(better - worse) / n)) / n;
                double? p = better + worse == 0 ? 1.0 : Erfc(Math.Sqrt(Math.Pow(Math.Max(0, Math.Abs(better - worse) - 1), 2) / (better + worse) / 2));
                return new GainInterval(d * 100, (d - Z * se) * 100, (d + Z * se) * 100, "mcnemar", shared.Length, p, tolerancePoints);
            }
            // Item order fixed (ordinal by id) so the seeded resampling gives the same interval for the same evidence.
            Array.Sort(shared, StringComparer.Ordinal);
            var diffs = shared.Select(k => a.Outcomes[k].Score - b.Outcomes[k].Score).ToArray();
            var mean = diffs.Average();
            var rng = new Random(20_261_202);
            var means = new double[Math.Max(100, resamples)];
            for (var r = 0; r < means.Length; r++)
            {
                var s = 0.0;
                for (var i = 0; i < diffs.Length; i++) s += diffs[rng.Next(diffs.Length)];
                means[r] = s / diffs.Length;
            }
            Array.Sort(means);
            var lo = means[(int)Math.Floor(0.025 * (means.Length - 1))];
            var hi = means[(int)Math.Ceiling(0.975 * (means.Length - 1))];
            return new GainInterval(mean * 100, lo * 100, hi * 100, "paired_bootstrap", shared.Length, null, tolerancePoints);
        }
        var diff = (a.Quality - b.Quality) * 100;
        if (a.Items is > 0 && b.Items is > 0)
        {
            var se = Math.Sqrt(a.Quality * (1 - a.Quality) / a.Items.Value + b.Quality * (1 - b.Quality) / b.Items.Value) * 100;
            return new GainInterval(diff, diff - Z * se, diff + Z * se, "unpaired", Math.Min(a.Items.Value, b.Items.Value), null, tolerancePoints);
        }
        return new GainInterval(diff, null, null, "none", 0, null, tolerancePoints);
    }

    /// <summary>Complementary error function (Numerical Recipes' erfc, relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
