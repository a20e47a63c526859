namespace Lever.Evals.Metrics;

/// <summary>
/// The statistics <c>lever compare</c> needs: percentile-bootstrap confidence intervals (Efron &amp; Tibshirani, 1993)
/// with a fixed seed so reports are reproducible, and McNemar's exact test for paired pass/fail outcomes
/// (the binomial form on discordant pairs, as recommended for small counts).
/// </summary>
public static class Statistics
{
    /// <summary>Percentile-bootstrap CI of the mean of <paramref name="values"/> at level <paramref name="level"/>.</summary>
    public static (double Low, double High) BootstrapMeanCi(IReadOnlyList<double> values, int resamples = 2000, double level = 0.95, int seed = 12345)
    {
        if (values.Count == 0) return (0, 0);
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < values.Count; i++) sum += values[rng.Next(values.Count)];
            means[r] = sum / values.Count;
        }
        double alpha = (1 - level) / 2 * 100;
        return (Percentile.Of(means, alpha), Percentile.Of(means, 100 - alpha));
    }

    /// <summary>
    /// McNemar's exact two-sided p-value for <paramref name="onlyA"/> items right only under A and
    /// <paramref name="onlyB"/> right only under B: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1.
    /// </summary>
    public static double McNemarExact(int onlyA, int onlyB)
    {
        int n = onlyA + onlyB;
        if (n == 0) return 1.0;
        int k = Math.Min(onlyA, onlyB);
        double tail = 0;
        for (int i = 0; i <= k; i++) tail += Math.Exp(LogChoose(n, i) - n * Math.Log(2));
        return Math.Min(1.0, 2 * tail);
    }

    private static double LogChoose(int n, int k)
    {
        double s = 0;
        for (int i = 1; i <= k; i++) s += Math.Log(n - k + i) - Math.Log(i);
        return s;
    }
}
