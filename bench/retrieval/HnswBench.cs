using System.Diagnostics;
using Lever.Retrieval.Vectors;

namespace Lever.Retrieval.Bench;

/// <summary>HNSW recall@10 and QPS against exact search on random Gaussian vectors (the hard case: no cluster structure).</summary>
internal static class HnswBench
{
    public static void Run(int n, int d, int queries, string work)
    {
        var rng = new Random(7);
        float[] Gaussian()
        {
            var v = new float[d];
            for (int i = 0; i < d; i++) v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            return v;
        }
        var data = Enumerable.Range(0, n).Select(_ => Gaussian()).ToList();
        var qs = Enumerable.Range(0, queries).Select(_ => Gaussian()).ToList();
        var exact = new ExactVectorIndex(data, d);
        var sw = Stopwatch.StartNew();
        var truth = qs.Select(q => exact.Search(q, 10).Select(s => s.Ordinal).ToHashSet()).ToList();
        double exactQps = queries / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"exact: {queries} queries over {n}x{d} in {sw.Elapsed.TotalSeconds:F2}s = {exactQps:F1} QPS");

        var m = int.Parse(Environment.GetEnvironmentVariable("HNSW_M") ?? "16");
        var efc = int.Parse(Environment.GetEnvironmentVariable("HNSW_EFC") ?? "100");
        // The graph is cached (keyed by its settings) so trying other ef values does not rebuild it.
        var cache = Path.Combine(work, $"hnsw-{n}x{d}-M{m}-efc{efc}.bin");
        var hnsw = HnswIndex.TryLoad(cache, 0);
        if (hnsw is null)
        {
            sw.Restart();
            hnsw = HnswIndex.Build(data, d, new HnswOptions(m, efc), new Progress<int>(i => { if (i % 10240 == 0) Console.Error.WriteLine($"  inserted {i}"); }));
            Console.WriteLine($"hnsw build M={m} efConstruction={efc}: {sw.Elapsed.TotalSeconds:F1}s ({n / sw.Elapsed.TotalSeconds:F0} vectors/s, single thread)");
            hnsw.Save(cache, 0);
        }
        foreach (var ef in new[] { 32, 64, 128, 256, 512, 1024 })
        {
            hnsw.Search(qs[0], 10, ef, null); // warm
            sw.Restart();
            double hits = 0;
            for (int i = 0; i < queries; i++)
                hits += hnsw.Search(qs[i], 10, ef, null).Count(s => truth[i].Contains(s.Ordinal));
            double qps = queries / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"hnsw ef={ef}: recall@10={hits / (10.0 * queries):F4} QPS={qps:F0} ({qps / exactQps:F1}x exact)");
        }
    }
}
