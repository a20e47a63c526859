using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Tests;

/// <summary>The vector retrieval rows (semantic kNN vote, semantic few-shot) and the embedding cache they share.</summary>
public sealed class VectorRetrievalRecipeTests
{
    private static WordHashEmbedder Hashing() => new(64, t => WordHashEmbedder.Split(t, ' ', '\n', '\t', ',', '.', ':', '<', '>', '@')) { Normalized = true };

    private static async Task<LabReport> Run(string root, LabEmbedding embedding)
    {
        var ws = Workspace.Open(root);
        var config = LabConfiguration.Load(ws);
        var recipes = LabRunner.Recipes(config.Options, hosted: null, embedding);
        return await new LabRunner(ws, config, recipes, new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Vector_knn_vote_votes_with_the_exact_cosine_neighbours_and_a_rerun_with_new_settings_embeds_nothing_again()
    {
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 16, extraLab: """
              recipes: [rag-knn-vote, rag-knn-vote-vector]
              llm:
                rag_k: 3
            """);
        try
        {
            var hashing = Hashing();
            var counting = new CountingEmbedder(hashing);
            var report = await Run(root, new LabEmbedding("test/hash-64", counting));
            Assert.Equal(["data", "train:rag-knn-vote", "eval:rag-knn-vote", "train:rag-knn-vote-vector", "eval:rag-knn-vote-vector", "report"], report.Ran);
            var vector = report.Results.Single(r => r.Name == RetrievalVoteRecipe.VectorName);
            Assert.Equal(LeverKind.Rag, vector.Lever);
            Assert.Equal(32, vector.Metrics.Count);
            Assert.Equal(1.0, vector.Metrics.Accuracy); // disjoint vocabularies: every neighbour is of the query's class

            // The neighbours are the exact cosine top-k over the email heads (brute force over the same vectors).
            var lab = Path.Combine(root, ".lever", "lab");
            var train = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl"));
            var test = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "test.jsonl"));
            var embedding = new LabEmbedding("test/hash-64", hashing);
            using (var index = await TrainingEmailIndex.OpenAsync(Path.Combine(lab, "recipes", RetrievalVoteRecipe.VectorName), train, CancellationToken.None, embedding, lab))
            {
                foreach (var query in test.Take(8))
                {
                    var found = await index.NeighboursAsync(query, 3, CancellationToken.None);
                    var q = hashing.Embed(Head(query.Text));
                    var expected = train.Select(e => (e.Id, Cos: Dot(q, hashing.Embed("\n\n" + Head(e.Text)))))
                        .OrderByDescending(x => x.Cos).ThenBy(x => x.Id, StringComparer.Ordinal).Take(3).ToList();
                    Assert.Equal(expected.Select(x => x.Cos), found.Select(n => n.Score), new ToleranceComparer(1e-5));
                }
            }

            // Every training head and test email was embedded once; a new k retrains and re-evaluates from the cache alone.
            var embeddedFirst = counting.Texts;
            using (var store = Lever.Retrieval.RetrievalIndex.Open(Path.Combine(lab, "recipes", RetrievalVoteRecipe.VectorName, "index")))
            {
                Assert.Equal(train.Count, store.Stats().Documents);
                // One chunk (one vector) per training email head, one query per test email, and the warm-up query (the first validation email).
                Assert.Equal(store.Stats().Vectors + test.Count + 1, embeddedFirst);
            }
            File.WriteAllText(Path.Combine(root, "lever.yaml"), File.ReadAllText(Path.Combine(root, "lever.yaml")).Replace("rag_k: 3", "rag_k: 5"));
            var again = await Run(root, new LabEmbedding("test/hash-64", counting));
            Assert.Contains("train:rag-knn-vote-vector", again.Ran);
            Assert.Equal(embeddedFirst, counting.Texts);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Vector_few_shot_runs_on_the_lab_model_beside_the_BM25_one_and_shares_the_cached_vectors()
    {
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 10, extraLab: """
              recipes: [rag-knn-vote-vector, local-rag-few-shot-vector]
              llm:
                vocab: 300
                pretrain_chars: 300
                pretrain_steps: 2
                batch_size: 2
                seq_len: 160
                prompt_chars: 80
                few_shot: 2
            """);
        try
        {
            var counting = new CountingEmbedder(Hashing());
            var report = await Run(root, new LabEmbedding("test/hash-64", counting));
            Assert.Equal(["data", "tokenizer", "pretrain", "train:rag-knn-vote-vector", "eval:rag-knn-vote-vector", "train:local-rag-few-shot-vector", "eval:local-rag-few-shot-vector", "report"], report.Ran);
            var few = report.Results.Single(r => r.Name == RetrievalFewShotRecipe.VectorName);
            Assert.Equal(LeverKind.Rag, few.Lever);
            Assert.Equal(20, few.Metrics.Count);
            Assert.Contains("by embedding, test/hash-64", few.Description);
            // The few-shot row found its neighbours among the vectors the vote row had already embedded: nothing new.
            var lab = Path.Combine(root, ".lever", "lab");
            var train = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl"));
            Assert.Equal(train.Count + 20 + 1, counting.Texts);
            var second = await Run(root, new LabEmbedding("test/hash-64", counting));
            Assert.Empty(second.Ran);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void The_vector_rows_exist_only_with_an_embedding_model_and_naming_one_without_it_says_what_is_missing()
    {
        Assert.DoesNotContain(LabRunner.Recipes(new LabOptions(), hosted: null), r => r.Name.EndsWith("-vector", StringComparison.Ordinal));
        var names = LabRunner.Recipes(new LabOptions(), hosted: null, new LabEmbedding("test/hash", Hashing())).Select(r => r.Name).ToList();
        // Each vector row right after its BM25 sibling.
        Assert.Equal(names.IndexOf(RetrievalVoteRecipe.LexicalName) + 1, names.IndexOf(RetrievalFewShotRecipe.LexicalName));
        Assert.Equal(names.IndexOf(RetrievalFewShotRecipe.LexicalName) + 1, names.IndexOf(RetrievalVoteRecipe.VectorName));
        Assert.Equal(names.IndexOf(RetrievalVoteRecipe.VectorName) + 1, names.IndexOf(RetrievalFewShotRecipe.VectorName));
        var e = Assert.Throws<LeverUserException>(() => LabRunner.Recipes(new LabOptions { Recipes = [RetrievalVoteRecipe.VectorName] }, hosted: null));
        Assert.Contains("need an embedding model", e.Hint);
    }

    [Fact]
    public void Lab_embedding_none_turns_the_rows_off_and_a_provider_without_an_embedding_model_is_a_user_error()
    {
        var root = Directory.CreateTempSubdirectory("lever-lab-embed").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "lever.yaml"), "providers:\n  chat-only: { kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m }\n");
            var ws = Workspace.Open(root);
            Assert.Null(LabEmbeddings.Resolve(ws, new LabOptions { Embedding = "none" }, null));
            // No local embedding backend in this connection: unset means no vector rows, "local" says there is none.
            Assert.Null(LabEmbeddings.Resolve(ws, new LabOptions(), null));
            var local = Assert.Throws<LeverUserException>(() => LabEmbeddings.Resolve(ws, new LabOptions { Embedding = "local" }, null));
            Assert.Contains("lab.embedding: local", local.Message);
            var provider = Assert.Throws<LeverUserException>(() => LabEmbeddings.Resolve(ws, new LabOptions { Embedding = "chat-only" }, null));
            Assert.Contains("lab.embedding: provider 'chat-only' has no embedding_model", provider.Message);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task The_cache_keeps_vectors_across_instances_embeds_duplicates_once_and_cuts_a_torn_tail()
    {
        var dir = Directory.CreateTempSubdirectory("lever-embed-cache").FullName;
        try
        {
            var path = Path.Combine(dir, "m.bin");
            var counting = new CountingEmbedder(Hashing());
            var cache = new EmbeddingCache(counting, path);
            var first = await cache.GenerateAsync(["free money", "kernel patch", "free money"]);
            Assert.Equal(2, counting.Texts);
            Assert.Equal(first[0].Vector.ToArray(), first[2].Vector.ToArray());
            var length = new FileInfo(path).Length;
            Assert.Equal(2 * (40 + 64 * 4), length);

            // A kill in the middle of an append leaves a torn record: the next open keeps the two whole ones.
            File.AppendAllText(path, "torn");
            var reopened = new EmbeddingCache(counting, path);
            Assert.Equal(2, reopened.Count);
            Assert.Equal(length, new FileInfo(path).Length);
            var again = await reopened.GenerateAsync(["kernel patch", "free money", "cash offer"]);
            Assert.Equal(3, counting.Texts); // only "cash offer" is new
            Assert.Equal(first[1].Vector.ToArray(), again[0].Vector.ToArray());
            Assert.Equal(Hashing().Embed("cash offer"), again[2].Vector.ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static string Head(string text) => text.Length > TrainingEmailIndex.QueryChars ? text[..TrainingEmailIndex.QueryChars] : text;

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    /// <summary>Counts the texts it is asked to embed.</summary>
    private sealed class CountingEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public int Texts { get; private set; }

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            Texts += list.Count;
            return base.GenerateAsync(list, options, cancellationToken);
        }
    }
}
