namespace Lever.Evals.Metrics;

/// <summary>Percentiles by linear interpolation between closest ranks (NumPy's default "linear" method).</summary>
public static class Percentile
{
    /// <summary>The <paramref name="p"/>-th percentile (0–100) of <paramref name="values"/>; 0 for an empty list.</summary>
    public static double Of(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 0;
        double rank = p / 100.0 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
