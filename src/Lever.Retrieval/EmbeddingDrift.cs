using Microsoft.Extensions.AI;

namespace Lever.Retrieval;

/// <summary>
/// A drift measure on embeddings: the cosine distance between the centroids of two sets of texts (e.g. last month's
/// questions and this month's) and each set's dispersion around its own centroid, so a registry can say the inputs
/// moved by a number instead of a feeling.
/// </summary>
public static class EmbeddingDrift
{
    /// <summary>Embeds both sets with <paramref name="embedder"/> and measures them.</summary>
    public static async Task<EmbeddingDriftReport> MeasureAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<string> a, IReadOnlyList<string> b,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        var ea = await embedder.GenerateAsync(a, cancellationToken: cancellationToken).ConfigureAwait(false);
        var eb = await embedder.GenerateAsync(b, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Measure(ea.Select(e => e.Vector).ToList(), eb.Select(e => e.Vector).ToList());
    }

    /// <summary>Measures two sets of vectors of one width (each set non-empty).</summary>
    public static EmbeddingDriftReport Measure(IReadOnlyList<ReadOnlyMemory<float>> a, IReadOnlyList<ReadOnlyMemory<float>> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0) throw new ArgumentException("both sets need at least one vector");
        int dims = a[0].Length;
        if (a.Concat(b).Any(v => v.Length != dims)) throw new ArgumentException("all vectors must have the same width");
        var ca = Centroid(a, dims);
        var cb = Centroid(b, dims);
        return new EmbeddingDriftReport(CosineDistance(ca, cb), a.Average(v => CosineDistance(v.Span, ca)), b.Average(v => CosineDistance(v.Span, cb)), a.Count, b.Count);
    }

    private static double[] Centroid(IReadOnlyList<ReadOnlyMemory<float>> set, int dims)
    {
        var c = new double[dims];
        foreach (var v in set)
        {
            // Each vector counts by its direction, as cosine search sees it.
            var s = v.Span;
            double norm = Math.Sqrt(Dot(s, s));
            if (norm == 0) continue;
            for (int i = 0; i < dims; i++) c[i] += s[i] / norm;
        }
        for (int i = 0; i < dims; i++) c[i] /= set.Count;
        return c;
    }

    private static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double d = 0;
        for (int i = 0; i < x.Length; i++) d += (double)x[i] * y[i];
        return d;
    }

    private static double CosineDistance(ReadOnlySpan<float> v, double[] c)
    {
        double dot = 0, nv = 0, nc = 0;
        for (int i = 0; i < c.Length; i++)
        {
            dot += v[i] * c[i];
            nv += (double)v[i] * v[i];
            nc += c[i] * c[i];
        }
        return nv == 0 || nc == 0 ? 1 : 1 - dot / Math.Sqrt(nv * nc);
    }

    private static double CosineDistance(double[] x, double[] y)
    {
        double dot = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.Length; i++)
        {
            dot += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        return nx == 0 || ny == 0 ? 1 : 1 - dot / Math.Sqrt(nx * ny);
    }
}
