using System.Diagnostics;
using Lever.Retrieval.Evaluation;
using Lever.Retrieval.Search;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Lever.Retrieval.Bench;

/// <summary>
/// Lever BM25 against Lucene.NET 4.8 (StandardAnalyzer + BM25Similarity) on the very same chunks: build time,
/// size, single-thread query latency (p50/p99) and QPS, and nDCG@10 on the question set.
/// </summary>
internal static class Compare
{
    private const int Rounds = 30;

    public static async Task RunAsync(string html, string questionsPath, string work, Func<string, IndexOptions, Bm25Parameters?, Task<RetrievalIndex>> open)
    {
        // 1) ingest from scratch: HTML parsing, chunking, SQLite, BM25 build
        var options = new IndexOptions();
        var dir = Path.Combine(work, "compare-lever");
        if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, true);
        long htmlBytes = System.IO.Directory.EnumerateFiles(html).Sum(f => new FileInfo(f).Length);
        var sw = Stopwatch.StartNew();
        using var index = RetrievalIndex.Open(dir);
        var report = await index.AddAsync(html, options);
        var ingest = sw.Elapsed;
        var stats = index.Stats();
        Console.WriteLine($"lever ingest: {report.Added} pages ({htmlBytes / 1048576.0:F1} MiB HTML), {report.Chunks} chunks in {ingest.TotalSeconds:F2}s = {report.Added / ingest.TotalSeconds:F0} pages/s, {htmlBytes / 1048576.0 / ingest.TotalSeconds:F1} MiB/s");
        Console.WriteLine($"lever size: store {stats.StoreBytes / 1048576.0:F1} MiB (documents + chunks), BM25 file {stats.IndexBytes / 1048576.0:F1} MiB");

        var chunks = index.ExportChunks().ToList();
        var questions = RetrievalEvaluator.Load(questionsPath);

        // 2) build both indexes over the same chunk texts (title + heading + text for Lucene's single field)
        sw.Restart();
        var bm25 = Bm25Index.Build(chunks.Select(c => new Bm25Document(c.Text, c.Heading, c.Title, 0)));
        var leverBuild = sw.Elapsed;
        var lucenePath = Path.Combine(work, "compare-lucene");
        if (System.IO.Directory.Exists(lucenePath)) System.IO.Directory.Delete(lucenePath, true);
        using var analyzer = new StandardAnalyzer(LuceneVersion.LUCENE_48);
        using LuceneDirectory luceneDir = FSDirectory.Open(lucenePath);
        sw.Restart();
        using (var writer = new IndexWriter(luceneDir, new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer) { Similarity = new BM25Similarity(), OpenMode = OpenMode.CREATE }))
        {
            foreach (var c in chunks)
            {
                var doc = new Document { new StoredField("doc", c.DocId), new TextField("body", $"{c.Title}\n{c.Heading}\n{c.Text}", Field.Store.NO) };
                writer.AddDocument(doc);
            }
            writer.ForceMerge(1);
            writer.Commit();
        }
        var luceneBuild = sw.Elapsed;
        long luceneBytes = System.IO.Directory.EnumerateFiles(lucenePath).Sum(f => new FileInfo(f).Length);
        var bm25Path = Path.Combine(work, "compare-bm25.bin");
        bm25.Save(bm25Path, 0);
        Console.WriteLine($"build on {chunks.Count} chunks: lever BM25 {leverBuild.TotalSeconds:F2}s ({new FileInfo(bm25Path).Length / 1048576.0:F1} MiB), lucene {luceneBuild.TotalSeconds:F2}s ({luceneBytes / 1048576.0:F1} MiB)");

        using var reader = DirectoryReader.Open(luceneDir);
        var searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        var docIds = chunks.Select(c => c.DocId).ToArray();

        Query LuceneQuery(string text)
        {
            var q = new BooleanQuery();
            using var ts = analyzer.GetTokenStream("body", new StringReader(text));
            var term = ts.AddAttribute<ICharTermAttribute>();
            ts.Reset();
            while (ts.IncrementToken()) q.Add(new TermQuery(new Term("body", term.ToString())), Occur.SHOULD);
            ts.End();
            return q;
        }
        List<string> LuceneDocs(string text, int k)
        {
            var top = searcher.Search(LuceneQuery(text), k);
            return top.ScoreDocs.Select(s => searcher.Doc(s.Doc).Get("doc")).ToList();
        }

        // 3) quality: documents ranked by their best chunk, top 10 distinct
        var lucene = await RetrievalEvaluator.EvaluateAsync(questions, (q, _) => Task.FromResult<IReadOnlyList<string>>(LuceneDocs(q, 80).Distinct().Take(10).ToList()));
        var lever = await RetrievalEvaluator.EvaluateAsync(questions, (q, _) => Task.FromResult<IReadOnlyList<string>>(bm25.Search(q, 80).Select(s => docIds[s.Ordinal]).Distinct().Take(10).ToList()));
        var plain = Bm25Index.Build(chunks.Select(c => new Bm25Document(c.Text, c.Heading, c.Title, 0)), Bm25Parameters.Default with { ExpandQueries = false });
        var leverPlain = await RetrievalEvaluator.EvaluateAsync(questions, (q, _) => Task.FromResult<IReadOnlyList<string>>(plain.Search(q, 80).Select(s => docIds[s.Ordinal]).Distinct().Take(10).ToList()));
        Console.WriteLine($"quality without query expansion: lever nDCG@10={leverPlain.NdcgAt10:F4} MRR={leverPlain.Mrr:F4} recall@10={leverPlain.RecallAtK:F4}");
        Console.WriteLine($"quality on {questions.Count} questions: lever nDCG@10={lever.NdcgAt10:F4} MRR={lever.Mrr:F4} recall@10={lever.RecallAtK:F4} | lucene nDCG@10={lucene.NdcgAt10:F4} MRR={lucene.Mrr:F4} recall@10={lucene.RecallAtK:F4}");

        // 4) speed: top-10 chunk ids per query, single thread, after a warm-up round; query parsing included for both
        var texts = questions.Select(q => q.Question).ToList();
        var leverLat = Time(texts, q => bm25.Search(q, 10).Count);
        var luceneLat = Time(texts, q => searcher.Search(LuceneQuery(q), 10).ScoreDocs.Length);
        var endToEnd = Time(texts, q => index.Search(q, new SearchOptions(10)).Count);
        Print("lever BM25 (index only)", leverLat);
        Print("lucene BM25 (index only)", luceneLat);
        Print("lever search (+ SQLite fetch of hits)", endToEnd);
        Console.WriteLine($"QPS ratio lever/lucene (index only): {Qps(leverLat) / Qps(luceneLat):F2}x");
    }

    private static List<double> Time(List<string> queries, Func<string, int> run)
    {
        foreach (var q in queries) run(q);
        var lat = new List<double>(queries.Count * Rounds);
        for (int r = 0; r < Rounds; r++)
            foreach (var q in queries)
            {
                long t = Stopwatch.GetTimestamp();
                run(q);
                lat.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        return lat;
    }

    private static double Qps(List<double> lat) => lat.Count / (lat.Sum() / 1000);

    private static void Print(string name, List<double> lat)
    {
        var sorted = lat.Order().ToList();
        Console.WriteLine($"{name}: p50={sorted[sorted.Count / 2]:F3} ms p99={sorted[(int)(sorted.Count * 0.99)]:F3} ms QPS={Qps(lat):F0}");
    }
}
