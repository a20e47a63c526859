// Retrieval benchmarks (not tests): quality and speed of Lever's BM25 against Lucene.NET on the PostgreSQL 15
// documentation, and HNSW against exact search on random vectors. Results go to docs/PERFORMANCE.md.
//   dotnet run -c Release --project bench/retrieval -- quality  <pg html dir>   [--k1 1.6 --b 0.5 --wh 2 --wt 1 --wa 0.5 --tokens 200 --overlap 30 --no-expand -v]
//   dotnet run -c Release --project bench/retrieval -- sweep    <pg html dir>   (grid over k1, b and field weights)
//   dotnet run -c Release --project bench/retrieval -- compare  <pg html dir>
//   dotnet run -c Release --project bench/retrieval -- hnsw     [--n 100000 --d 384 --queries 200 --latent 0|24]
//   dotnet run -c Release --project bench/retrieval -- vectors  <html dir> <label> <questions.jsonl>... [--tune] [--hnsw] [--latency N] [--must-show "q"]
//                                                                (BM25 vs all-MiniLM-L6-v2 vectors vs hybrid; see docs/PERFORMANCE.md)
// bench/retrieval/run.sh fetches the docs (apt-get download postgresql-doc-15) and runs all three.
using System.Diagnostics;
using System.Globalization;
using Lever.Retrieval;
using Lever.Retrieval.Bench;
using Lever.Retrieval.Evaluation;
using Lever.Retrieval.Search;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var mode = args.Length > 0 ? args[0] : "help";
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
var repo = FindRepo();
var questionsPath = Path.Combine(repo, "bench", "retrieval", "pg-questions.jsonl");
var work = Path.Combine(repo, "artifacts", "bench-retrieval");
Directory.CreateDirectory(work);

switch (mode)
{
    case "quality":
    {
        var html = args[1];
        var d = Bm25Parameters.Default;
        var p = new Bm25Parameters(float.Parse(Arg("--k1", $"{d.K1}")), float.Parse(Arg("--b", $"{d.B}")), float.Parse(Arg("--wh", $"{d.HeadingWeight}")), float.Parse(Arg("--wt", $"{d.TitleWeight}")), float.Parse(Arg("--wa", $"{d.AncestorWeight}")), !args.Contains("--no-expand"));
        var options = new IndexOptions { ChunkTokens = int.Parse(Arg("--tokens", "200")), ChunkOverlap = int.Parse(Arg("--overlap", "30")) };
        using var index = await OpenPgIndex(html, options, p);
        var questions = RetrievalEvaluator.Load(questionsPath);
        var report = await RetrievalEvaluator.EvaluateAsync(index, questions, 10);
        if (args.Contains("-v"))
            foreach (var row in report.Questions)
                Console.WriteLine($"{row.NdcgAt10:F2} rr={row.ReciprocalRank:F2} {row.Question} -> {string.Join(", ", row.Ranked.Take(5))}");
        Console.WriteLine($"lever bm25 {p} tokens={options.ChunkTokens} overlap={options.ChunkOverlap}: nDCG@10={report.NdcgAt10:F4} MRR={report.Mrr:F4} recall@10={report.RecallAtK:F4}");
        break;
    }
    case "sweep":
    {
        // Grid over BM25 parameters on one set of chunks: the tuning behind Bm25Parameters' defaults.
        var options = new IndexOptions { ChunkTokens = int.Parse(Arg("--tokens", "200")), ChunkOverlap = int.Parse(Arg("--overlap", "30")) };
        using var index = await OpenPgIndex(args[1], options, null);
        var chunks = index.ExportChunks().ToList();
        var ids = chunks.Select(c => c.DocId).ToArray();
        var questions = RetrievalEvaluator.Load(questionsPath);
        var results = new List<(double, string)>();
        foreach (var k1 in new[] { 0.9f, 1.2f, 1.6f })
        foreach (var b in new[] { 0.5f, 0.75f, 0.9f })
        foreach (var wh in new[] { 1f, 2f, 4f })
        foreach (var wt in new[] { 1f, 2f, 4f })
        foreach (var wa in new[] { 0f, 0.5f, 1f, 2f })
        {
            var p = new Bm25Parameters(k1, b, wh, wt, wa);
            var bm25 = Bm25Index.Build(chunks.Select(c => new Bm25Document(c.Text, c.Heading, c.Title, 0)), p);
            var r = await RetrievalEvaluator.EvaluateAsync(questions, (q, _) => Task.FromResult<IReadOnlyList<string>>(bm25.Search(q, 80).Select(s => ids[s.Ordinal]).Distinct().Take(10).ToList()));
            results.Add((r.NdcgAt10, $"k1={k1} b={b} wh={wh} wt={wt} wa={wa}: nDCG@10={r.NdcgAt10:F4} MRR={r.Mrr:F4}"));
        }
        foreach (var (_, line) in results.OrderByDescending(r => r.Item1).Take(15)) Console.WriteLine(line);
        break;
    }
    case "compare":
        await Compare.RunAsync(args[1], questionsPath, work, OpenPgIndex);
        break;
    case "vectors":
    {
        // vectors <html dir> <label> <questions.jsonl>... [--tune] [--hnsw] [--latency N] [--must-show "question"]
        var files = args.Skip(3).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(Path.GetFullPath).ToList();
        await VectorBench.RunAsync(args[1], args[2], files, work, args.Contains("--tune"), args.Contains("--hnsw"), int.Parse(Arg("--latency", "0")), Arg("--must-show", "") is { Length: > 0 } m ? m : null);
        break;
    }
    case "hnsw":
        HnswBench.Run(int.Parse(Arg("--n", "100000")), int.Parse(Arg("--d", "384")), int.Parse(Arg("--queries", "200")), work, int.Parse(Arg("--latent", "0")));
        break;
    default:
        Console.WriteLine("usage: quality|compare <pg html dir> | hnsw [--n N --d D]");
        break;
}

async Task<RetrievalIndex> OpenPgIndex(string html, IndexOptions options, Bm25Parameters? p)
{
    var dir = Path.Combine(work, $"lever-{options.ChunkTokens}-{options.ChunkOverlap}");
    bool fresh = !File.Exists(Path.Combine(dir, RetrievalIndex.StoreFileName));
    var index = RetrievalIndex.Open(dir, p);
    if (fresh)
    {
        var sw = Stopwatch.StartNew();
        var r = await index.AddAsync(html, options);
        Console.Error.WriteLine($"ingested {r.Added} docs, {r.Chunks} chunks in {sw.Elapsed.TotalSeconds:F1}s");
    }
    return index;
}

static string FindRepo()
{
    foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
    {
        var d = new DirectoryInfo(start);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Lever.slnx"))) d = d.Parent;
        if (d is not null) return d.FullName;
    }
    return Directory.GetCurrentDirectory();
}
