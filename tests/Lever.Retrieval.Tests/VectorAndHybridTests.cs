using Lever.Retrieval.Evaluation;
using Lever.Retrieval.Search;
using Lever.Retrieval.Vectors;

namespace Lever.Retrieval.Tests;

public sealed class VectorAndHybridTests
{
    [Fact]
    public void Hnsw_recall_at_10_against_exact_search_is_high_on_random_vectors()
    {
        var rng = new Random(3);
        var data = Enumerable.Range(0, 3000).Select(_ => Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray()).ToList();
        var queries = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray()).ToList();
        var exact = new ExactVectorIndex(data, 32);
        var hnsw = HnswIndex.Build(data, 32, new HnswOptions(M: 12, EfConstruction: 100, EfSearch: 100));
        double found = 0;
        foreach (var q in queries)
        {
            var truth = exact.Search(q, 10).Select(s => s.Ordinal).ToHashSet();
            var approx = hnsw.Search(q, 10);
            Assert.Equal(10, approx.Count);
            Assert.True(approx.Zip(approx.Skip(1)).All(p => p.First.Score >= p.Second.Score), "sorted best first");
            found += approx.Count(s => truth.Contains(s.Ordinal));
        }
        Assert.True(found / (10.0 * queries.Count) >= 0.95, $"recall@10 = {found / (10.0 * queries.Count)}");

        // Saved and loaded, it answers the same.
        var path = Path.GetTempFileName();
        try
        {
            hnsw.Save(path, 7);
            Assert.Null(HnswIndex.TryLoad(path, 8));
            var loaded = HnswIndex.TryLoad(path, 7)!;
            Assert.Equal(hnsw.Search(queries[0], 10), loaded.Search(queries[0], 10));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Reciprocal_rank_fusion_matches_the_formula()
    {
        var a = new List<ScoredChunk> { new(1, 9), new(2, 8), new(3, 7) };
        var b = new List<ScoredChunk> { new(3, 0.9f), new(4, 0.8f) };
        var fused = ReciprocalRankFusion.Fuse([a, b], 10);
        Assert.Equal([3, 1, 2, 4], fused.Select(f => f.Ordinal));
        Assert.Equal(1f / 63 + 1f / 61, fused[0].Score, 6);
        Assert.Equal(1f / 61, fused[1].Score, 6);
    }

    [Fact]
    public void Weighted_fusion_and_mode_names_match_their_definitions()
    {
        var a = new List<ScoredChunk> { new(1, 9), new(2, 8) };
        var b = new List<ScoredChunk> { new(2, 0.9f), new(3, 0.8f) };
        var fused = ReciprocalRankFusion.Fuse([(a, 1f), (b, 2f)], 10, k: 10);
        Assert.Equal([2, 3, 1], fused.Select(f => f.Ordinal));
        Assert.Equal(1f / 12 + 2f / 11, fused[0].Score, 6);
        Assert.Equal(2f / 12, fused[1].Score, 6);
        Assert.Equal(1f / 11, fused[2].Score, 6);
        Assert.Equal(SearchMode.Lexical, SearchModes.Parse("BM25", "--mode"));
        Assert.Equal(SearchMode.Auto, SearchModes.Parse(null, "--mode"));
        Assert.Equal("hybrid", SearchModes.Name(SearchModes.Parse("hybrid", "--mode")));
        var bad = Assert.Throws<Lever.Core.LeverUserException>(() => SearchModes.Parse("semantic", "--mode"));
        Assert.Equal("--mode: 'semantic' is not a search mode", bad.Message);
    }

    [Fact]
    public async Task Hybrid_search_finds_a_synonym_bm25_misses_and_keeps_permissions()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/car.md", "# Cars\nAn automobile needs fuel and tyres.");
        dir.Write("c/boat.md", "# Boats\nA boat needs a hull and a sail.");
        dir.Write("c/secret.md", "# Secret\nThe prototype automobile is secret.");
        dir.Write("c/secret.md.meta.json", """{"groups": ["rnd"]}""");
        var embedder = new HashingEmbedder(synonyms: new Dictionary<string, string> { ["vehicl"] = "automobil" });
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions(), embedder);
        Assert.Equal(3, index.Stats().Vectors);

        Assert.Empty(index.Search("vehicle")); // no lexical match
        var hybrid = await index.SearchAsync("vehicle", new SearchOptions(K: 3), embedder);
        Assert.Equal("car.md", hybrid[0].DocId);
        Assert.DoesNotContain(hybrid, h => h.DocId == "secret.md");
        var vector = await index.SearchAsync("vehicle", new SearchOptions(K: 3, Caller: new Caller(null, ["rnd"]), Mode: SearchMode.Vector), embedder);
        Assert.Contains(vector, h => h.DocId == "secret.md");
        await Assert.ThrowsAsync<Lever.Core.LeverUserException>(() => index.SearchAsync("vehicle", new SearchOptions(Mode: SearchMode.Vector)));
    }

    [Fact]
    public async Task A_reranker_reorders_but_cannot_add_hits_the_caller_may_not_see()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/a.md", "# A\nwidgets widgets widgets");
        dir.Write("c/b.md", "# B\nwidgets");
        dir.Write("c/hidden.md", "# H\nwidgets");
        dir.Write("c/hidden.md.meta.json", """{"users": ["root"]}""");
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions());
        using var other = RetrievalIndex.Open(dir.Sub("index"));
        var hidden = other.Search("widgets", new SearchOptions(Caller: new Caller("root"))).Single(h => h.DocId == "hidden.md");
        var reranker = new ReverseAndInject(hidden);
        var hits = await index.SearchAsync("widgets", new SearchOptions(K: 5, Reranker: reranker));
        Assert.Equal(["b.md", "a.md"], hits.Select(h => h.DocId));
        Assert.Equal([1, 2], hits.Select(h => h.Rank));
    }

    private sealed class ReverseAndInject(SearchHit injected) : IReranker
    {
        public Task<IReadOnlyList<SearchHit>> RerankAsync(string query, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SearchHit>>([injected, .. hits.Reverse()]);
    }

    [Fact]
    public void Metrics_match_hand_computed_values()
    {
        var relevant = new HashSet<string> { "a", "c" };
        string[] ranked = ["b", "a", "d", "c"];
        Assert.Equal(0.5, RetrievalMetrics.RecallAt(ranked, relevant, 2));
        Assert.Equal(1.0, RetrievalMetrics.RecallAt(ranked, relevant, 4));
        Assert.Equal(0.5, RetrievalMetrics.ReciprocalRank(ranked, relevant));
        double dcg = 1 / Math.Log2(3) + 1 / Math.Log2(5), ideal = 1 + 1 / Math.Log2(3);
        Assert.Equal(dcg / ideal, RetrievalMetrics.NdcgAt(ranked, relevant, 10), 12);
        Assert.Equal(0, RetrievalMetrics.NdcgAt(["x"], relevant, 10));
    }

    [Fact]
    public async Task Evaluator_reads_jsonl_and_scores_an_index()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/vacuum.md", "# Vacuum\nVacuum reclaims storage held by dead tuples.");
        dir.Write("c/index.md", "# Indexes\nAn index speeds up lookups.");
        var evalSet = dir.Write("eval.jsonl", """
            {"question": "reclaim storage from dead tuples", "relevant": ["vacuum.md"]}
            {"question": "speed up lookups", "relevant": ["index.md"]}
            """);
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions());
        var report = await RetrievalEvaluator.EvaluateAsync(index, RetrievalEvaluator.Load(evalSet));
        Assert.Equal((1.0, 1.0, 1.0), (report.RecallAtK, report.Mrr, report.NdcgAt10));

        var bad = dir.Write("bad.jsonl", "{\"question\": \"q\"}\n");
        var ex = Assert.Throws<Lever.Core.LeverUserException>(() => RetrievalEvaluator.Load(bad));
        Assert.Contains("bad.jsonl:1", ex.Message);
    }

    [Fact]
    public async Task Ask_numbers_the_passages_sends_them_to_the_chat_model_and_keeps_only_valid_citations()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/refunds.md", "# Refunds\nRefunds are issued within 14 days.");
        dir.Write("c/shipping.md", "# Shipping\nShipping takes 3 days.");
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions());
        var chat = new ScriptedChatClient(_ => "Refunds take 14 days [1]. See also [7].");
        var answer = await GroundedAnswerer.AskAsync(index, "How long do refunds take?", new SearchOptions(K: 2), chat);
        Assert.Equal("Refunds take 14 days [1]. See also [7].", answer.Answer);
        Assert.Equal([1], answer.Cited);
        Assert.Equal("refunds.md", answer.Passages[0].DocId);
        var prompt = chat.Conversations.SelectMany(c => c).Last().Text;
        Assert.Contains("[1] Refunds — Refunds (refunds.md)\n# Refunds\nRefunds are issued within 14 days.", prompt);
        Assert.EndsWith("Question: How long do refunds take?", prompt);

        var none = await GroundedAnswerer.AskAsync(index, "How long do refunds take?", new SearchOptions(K: 2), null);
        Assert.Null(none.Answer);
        Assert.Equal("refunds.md", none.Passages[0].DocId);
    }
}

public sealed class ChatRerankerTests
{
    [Fact]
    public async Task A_chat_model_reply_reorders_the_hits_and_unnamed_ones_keep_their_order()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/a.md", "# A\nwidgets widgets widgets widgets");
        dir.Write("c/b.md", "# B\nwidgets widgets and gears");
        dir.Write("c/c.md", "# C\nwidgets and springs");
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions());
        var before = index.Search("widgets").Select(h => h.DocId).ToList();
        var chat = new ScriptedChatClient(_ => "3, 99, 3");
        var hits = await index.SearchAsync("widgets", new SearchOptions(K: 3, Reranker: new ChatReranker(chat)));
        Assert.Equal([before[2], before[0], before[1]], hits.Select(h => h.DocId));
        Assert.Contains("[3] ", chat.Conversations.SelectMany(c => c).Single().Text);
        Assert.EndsWith("Query: widgets", chat.Conversations.SelectMany(c => c).Single().Text);
        Assert.Equal([0, 1], ChatReranker.Order("no idea", 2));
    }
}
