namespace Lever.Registry;

/// <summary>
/// The statistics <c>lever drift</c> uses: the population stability index (PSI) of label and length distributions, and the
/// distance between embedding centroids with a threshold from split-half bootstraps of the reference inputs.
/// </summary>
public static class DriftStatistics
{
    /// <summary>Proportions below this count as this (PSI is undefined for empty bins).</summary>
    public const double Floor = 1e-4;

    /// <summary>PSI = Σ (actual − expected) · ln(actual / expected) over bins of proportions (each side sums to 1).</summary>
    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        if (expected.Count != actual.Count) throw new ArgumentException("both distributions need the same bins");
        double psi = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            double e = Math.Max(expected[i], Floor), a = Math.Max(actual[i], Floor);
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    /// <summary>PSI of two label samples over the union of their labels.</summary>
    public static double LabelPsi(IReadOnlyList<string> reference, IReadOnlyList<string> recent)
    {
        var labels = reference.Concat(recent).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return Psi(Shares(reference, labels), Shares(recent, labels));
    }

    /// <summary>PSI of two length samples over the reference's decile bins (fewer when lengths repeat).</summary>
    public static double LengthPsi(IReadOnlyList<double> reference, IReadOnlyList<double> recent, int bins = 10)
    {
        var edges = Edges(reference, bins);
        return Psi(Binned(reference, edges), Binned(recent, edges));
    }

    /// <summary>Cosine distance (1 − cosine similarity) between the centroids of two sets of vectors.</summary>
    public static double CentroidDistance(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b)
    {
        var ca = Centroid(a);
        var cb = Centroid(b);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < ca.Length; i++)
        {
            dot += ca[i] * cb[i];
            na += ca[i] * ca[i];
            nb += cb[i] * cb[i];
        }
        return na == 0 || nb == 0 ? 0 : 1 - dot / Math.Sqrt(na * nb);
    }

    /// <summary>
    /// The <paramref name="percentile"/>-th percentile of the centroid distance between two random halves of
    /// <paramref name="reference"/>, over <paramref name="resamples"/> seeded splits: the distance chance alone produces.
    /// </summary>
    public static double SplitHalfThreshold(IReadOnlyList<float[]> reference, double percentile = 99, int resamples = 200, int seed = 12345)
    {
        if (reference.Count < 4) return 0;
        var rng = new Random(seed);
        var distances = new double[resamples];
        var order = Enumerable.Range(0, reference.Count).ToArray();
        for (int r = 0; r < resamples; r++)
        {
            rng.Shuffle(order);
            int half = order.Length / 2;
            distances[r] = CentroidDistance([.. order[..half].Select(i => reference[i])], [.. order[half..].Select(i => reference[i])]);
        }
        Array.Sort(distances);
        double rank = percentile / 100 * (distances.Length - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return distances[lo] + (distances[hi] - distances[lo]) * (rank - lo);
    }

    private static double[] Centroid(IReadOnlyList<float[]> vectors)
    {
        var c = new double[vectors.Count == 0 ? 0 : vectors[0].Length];
        foreach (var v in vectors)
            for (int i = 0; i < c.Length; i++) c[i] += v[i];
        for (int i = 0; i < c.Length; i++) c[i] /= Math.Max(1, vectors.Count);
        return c;
    }

    private static double[] Shares(IReadOnlyList<string> sample, List<string> labels) =>
        [.. labels.Select(l => sample.Count == 0 ? 0 : sample.Count(s => s == l) / (double)sample.Count)];

    private static double[] Edges(IReadOnlyList<double> reference, int bins)
    {
        var sorted = reference.Order().ToArray();
        if (sorted.Length == 0) return [];
        var edges = new SortedSet<double>();
        for (int i = 1; i < bins; i++) edges.Add(sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(i * sorted.Length / (double)bins))]);
        return [.. edges];
    }

    /// <summary>Shares of <paramref name="sample"/> in the bins (−∞, e0), [e0, e1), …, [e_last, ∞).</summary>
    private static double[] Binned(IReadOnlyList<double> sample, double[] edges)
    {
        var counts = new double[edges.Length + 1];
        foreach (var x in sample)
        {
            int bin = 0;
            while (bin < edges.Length && x >= edges[bin]) bin++;
            counts[bin]++;
        }
        for (int i = 0; i < counts.Length; i++) counts[i] /= Math.Max(1, sample.Count);
        return counts;
    }
}
