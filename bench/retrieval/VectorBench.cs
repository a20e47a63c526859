using System.Diagnostics;
using System.Text.Json;
using Lever.Providers.Embeddings;
using Lever.Retrieval.Evaluation;
using Microsoft.Extensions.AI;

namespace Lever.Retrieval.Bench;

/// <summary>
/// BM25 vs vector vs hybrid on a documentation corpus with the local all-MiniLM-L6-v2: ingest with vectors (embedding
/// throughput timed inside the generator), recall@5 / MRR / nDCG@10 per mode, the fusion grid (--tune), query latency
/// p50/p95 per mode, and HNSW recall@10 against exact search on the same vectors with the threshold lowered.
/// </summary>
internal static class VectorBench
{
    public static async Task RunAsync(string html, string label, IReadOnlyList<string> questionFiles, string work, bool tune, bool hnsw, int latencyRounds, string? mustShow)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        var dir = Path.Combine(work, $"vectors-{label}");
        var options = new IndexOptions { Include = ["*.html"] };
        using var model = MiniLmEmbeddingGenerator.Create();
        var timed = new TimingEmbedder(model);
        if (!File.Exists(Path.Combine(dir, RetrievalIndex.StoreFileName)))
        {
            var sw = Stopwatch.StartNew();
            using var fresh = RetrievalIndex.Open(dir);
            var report = await fresh.AddAsync(html, options, timed);
            var total = sw.Elapsed;
            var s = fresh.Stats();
            Console.WriteLine($"ingest with vectors ({label}): {report.Added} pages, {report.Chunks} chunks, {s.Windows} model windows in {total.TotalSeconds:F1}s; " +
                $"embedding {timed.Texts} chunks took {timed.Elapsed.TotalSeconds:F1}s = {timed.Texts / timed.Elapsed.TotalSeconds:F1} chunks/s " +
                $"({s.Windows / timed.Elapsed.TotalSeconds:F1} windows/s) on {Environment.ProcessorCount} cores; the rest (HTML, chunking, SQLite, BM25) {(total - timed.Elapsed).TotalSeconds:F1}s; " +
                $"store {s.StoreBytes / 1048576.0:F1} MiB");
            Console.WriteLine($"load average after ingest: {File.ReadAllText("/proc/loadavg").Trim()}");
        }
        var queries = new CachingEmbedder(model);
        using var index = RetrievalIndex.Open(dir);
        var stats = index.Stats();
        Console.WriteLine($"index {label}: {stats.Documents} documents, {stats.Chunks} chunks, {stats.Vectors} vectors ({stats.EmbeddingModel}, {stats.EmbeddingDimensions} d), {stats.Windows} windows");

        foreach (var file in questionFiles)
        {
            var questions = LoadQuestions(file);
            Console.WriteLine($"-- {Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileName(file)}: {questions.Count} questions");
            foreach (var mode in new[] { SearchMode.Lexical, SearchMode.Vector, SearchMode.Hybrid })
            {
                var r = await RetrievalEvaluator.EvaluateAsync(index, questions, 5, null, mode, queries);
                int top5 = r.Questions.Count(q => q.RecallAtK > 0);
                Console.WriteLine($"{SearchModes.Name(mode),-7} recall@5={r.RecallAtK:F3} (gold in top 5 for {top5}/{questions.Count}) MRR={r.Mrr:F3} nDCG@10={r.NdcgAt10:F3}");
            }
            if (tune) await TuneAsync(index, questions, queries);
        }
        if (mustShow is not null)
            foreach (var mode in new[] { SearchMode.Lexical, SearchMode.Vector, SearchMode.Hybrid })
            {
                var hits = await index.SearchAsync(mustShow, new SearchOptions(5, Mode: mode, MaxChunksPerDocument: 1), queries);
                Console.WriteLine($"must-show {SearchModes.Name(mode)}: \"{mustShow}\" -> {string.Join(", ", hits.Select(h => h.DocId))}");
            }
        if (latencyRounds > 0)
        {
            var all = questionFiles.SelectMany(LoadQuestions).Select(q => q.Question).Distinct().ToList();
            foreach (var mode in new[] { SearchMode.Lexical, SearchMode.Vector, SearchMode.Hybrid })
            {
                var cold = new List<double>();
                var warm = new List<double>();
                foreach (var q in all) await index.SearchAsync(q, new SearchOptions(10, Mode: mode, MaxChunksPerDocument: 1), model); // warm-up
                for (int round = 0; round < latencyRounds; round++)
                    foreach (var q in all)
                    {
                        var sw = Stopwatch.StartNew();
                        await index.SearchAsync(q, new SearchOptions(10, Mode: mode, MaxChunksPerDocument: 1), model); // query embedded every time
                        cold.Add(sw.Elapsed.TotalMilliseconds);
                        sw.Restart();
                        await index.SearchAsync(q, new SearchOptions(10, Mode: mode, MaxChunksPerDocument: 1), queries); // embedding cached: the search alone
                        warm.Add(sw.Elapsed.TotalMilliseconds);
                    }
                Console.WriteLine($"latency {SearchModes.Name(mode),-7} ({cold.Count} queries, k=10): p50 {Pct(cold, 50):F1} ms, p95 {Pct(cold, 95):F1} ms with the query embedding; search alone p50 {Pct(warm, 50):F2} ms, p95 {Pct(warm, 95):F2} ms");
            }
        }
        if (hnsw) await HnswAsync(dir, questionFiles.SelectMany(LoadQuestions).Select(q => q.Question).Distinct().ToList(), queries, index);
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private const string MustShow = "How do I limit how long a statement may run?";

    private static async Task TuneAsync(RetrievalIndex index, List<RetrievalQuestion> questions, CachingEmbedder queries)
    {
        var rows = new List<(double Ndcg, double Mrr, string Line)>();
        foreach (var k in new[] { 5, 10, 20, 30, 60, 100 })
        foreach (var w in new[] { 0.5f, 0.75f, 1f, 1.25f, 1.5f, 2f })
        {
            var r = await RetrievalEvaluator.EvaluateAsync(questions, async (q, ct) => RetrievalMetrics.Documents(
                await index.SearchAsync(q, new SearchOptions(10, Mode: SearchMode.Hybrid, MaxChunksPerDocument: 1) { FusionK = k, VectorWeight = w }, queries, ct)), 5);
            var first = await index.SearchAsync(MustShow, new SearchOptions(5, Mode: SearchMode.Hybrid, MaxChunksPerDocument: 1) { FusionK = k, VectorWeight = w }, queries);
            rows.Add((r.NdcgAt10, r.Mrr, $"  rrf k={k,3} vector weight={w:F2}: recall@5={r.RecallAtK:F3} MRR={r.Mrr:F3} nDCG@10={r.NdcgAt10:F3}; must-show first: {first[0].DocId}"));
        }
        foreach (var share in new[] { 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f })
        {
            var r = await RetrievalEvaluator.EvaluateAsync(questions, async (q, ct) => RetrievalMetrics.Documents(
                await index.SearchAsync(q, new SearchOptions(10, Mode: SearchMode.Hybrid, MaxChunksPerDocument: 1) { Fusion = FusionMethod.RelativeScore, VectorShare = share }, queries, ct)), 5);
            var first = await index.SearchAsync(MustShow, new SearchOptions(5, Mode: SearchMode.Hybrid, MaxChunksPerDocument: 1) { Fusion = FusionMethod.RelativeScore, VectorShare = share }, queries);
            rows.Add((r.NdcgAt10, r.Mrr, $"  relative scores, vector share={share:F2}: recall@5={r.RecallAtK:F3} MRR={r.Mrr:F3} nDCG@10={r.NdcgAt10:F3}; must-show first: {first[0].DocId}"));
        }
        Console.WriteLine("fusion grid, best 12 by nDCG@10 then MRR:");
        foreach (var row in rows.OrderByDescending(r => r.Ndcg).ThenByDescending(r => r.Mrr).Take(12)) Console.WriteLine(row.Line);
        foreach (var row in rows.Where(r => r.Line.Contains("relative", StringComparison.Ordinal))) Console.WriteLine(row.Line);
        Console.WriteLine($"  (grid of {rows.Count}: nDCG@10 {rows.Min(r => r.Ndcg):F3}..{rows.Max(r => r.Ndcg):F3})");
    }

    private static async Task HnswAsync(string dir, List<string> questions, CachingEmbedder queries, RetrievalIndex exact)
    {
        foreach (var ef in new[] { 64, 128 })
        {
            var sw = Stopwatch.StartNew();
            using var graph = RetrievalIndex.Open(dir);
            graph.ExactSearchThreshold = 0;
            graph.Hnsw = new Vectors.HnswOptions(EfSearch: ef);
            await graph.SearchAsync("warm up", new SearchOptions(10, Mode: SearchMode.Vector), queries);
            var build = sw.Elapsed;
            double found = 0, wanted = 0;
            var exactMs = new List<double>();
            var graphMs = new List<double>();
            foreach (var q in questions)
            {
                var t = Stopwatch.StartNew();
                var truth = (await exact.SearchAsync(q, new SearchOptions(10, Mode: SearchMode.Vector), queries)).Select(h => (h.DocId, h.Start)).ToHashSet();
                exactMs.Add(t.Elapsed.TotalMilliseconds);
                t.Restart();
                var approx = await graph.SearchAsync(q, new SearchOptions(10, Mode: SearchMode.Vector), queries);
                graphMs.Add(t.Elapsed.TotalMilliseconds);
                found += approx.Count(h => truth.Contains((h.DocId, h.Start)));
                wanted += truth.Count;
            }
            Console.WriteLine($"hnsw efSearch={ef}: recall@10 vs exact {found / wanted:F3} over {questions.Count} queries; search p50 {Pct(graphMs, 50):F2} ms vs exact {Pct(exactMs, 50):F2} ms" +
                $"; graph build (M=16, efConstruction=200, one thread) {build.TotalSeconds:F1}s");
        }
    }

    private static double Pct(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Reads {"question","relevant"} lines, or the eval-set form {"input","metadata":{"page"}} of samples/pgdocs.</summary>
    public static List<RetrievalQuestion> LoadQuestions(string path)
    {
        var list = new List<RetrievalQuestion>();
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            using var doc = JsonDocument.Parse(raw);
            var o = doc.RootElement;
            if (o.TryGetProperty("question", out var q))
                list.Add(new RetrievalQuestion(q.GetString()!, o.GetProperty("relevant").EnumerateArray().Select(e => e.GetString()!).ToList(), $"{path}:{line}"));
            else
                list.Add(new RetrievalQuestion(o.GetProperty("input").GetString()!, [o.GetProperty("metadata").GetProperty("page").GetString()!], $"{path}:{line}"));
        }
        return list;
    }

    /// <summary>Sums the time and texts that pass through the generator.</summary>
    private sealed class TimingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public TimeSpan Elapsed { get; private set; }

        public int Texts { get; private set; }

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            var sw = Stopwatch.StartNew();
            var result = await base.GenerateAsync(list, options, cancellationToken);
            Elapsed += sw.Elapsed;
            Texts += list.Count;
            return result;
        }

        protected override void Dispose(bool disposing)
        {
            // the model is shared; nothing to release
        }
    }

    /// <summary>Embeds each distinct query once (the grid and the warm latency pass re-use them).</summary>
    private sealed class CachingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        private readonly Dictionary<string, Embedding<float>> _cache = new(StringComparer.Ordinal);

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            var missing = list.Where(v => !_cache.ContainsKey(v)).Distinct().ToList();
            if (missing.Count > 0)
            {
                var made = await base.GenerateAsync(missing, options, cancellationToken);
                for (int i = 0; i < missing.Count; i++) _cache[missing[i]] = made[i];
            }
            return new GeneratedEmbeddings<Embedding<float>>(list.Select(v => _cache[v]));
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
