using System.Text.Json;
using Lever.Core;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;

namespace Lever.Evals.Tests;

/// <summary>The runner over answerers other than a chat model: a kNN vote, and a model the caller holds (the lab's rows).</summary>
public class AnswererTests
{
    // Six solved tickets: three about money, three about crashes. Each query below shares words with some of them.
    private const string Pool = """
        {"id":"p1","input":"refund my invoice payment","expected":"billing"}
        {"id":"p2","input":"invoice charged twice payment","expected":"billing"}
        {"id":"p3","input":"card payment declined","expected":"billing"}
        {"id":"p4","input":"app crash on start","expected":"tech"}
        {"id":"p5","input":"error crash after update","expected":"tech"}
        {"id":"p6","input":"login error page blank","expected":"tech"}
        """;

    private static Recipe Vote(string pool, int k) => new()
    {
        Name = "vote",
        Kind = Recipe.KnnVoteKind,
        FewShot = new FewShotOptions { Mode = "nearest", K = k, Pool = pool },
        Parser = new ParserOptions { Kind = "label", Labels = ["billing", "tech"] },
    };

    [Fact]
    public async Task A_knn_vote_recipe_answers_with_the_majority_of_its_nearest_pool_examples_and_calls_no_model()
    {
        using var ws = new TempWorkspace();
        var pool = ws.Write("pool.jsonl", Pool + "\n");
        var set = EvalSet.Load(ws.Write("set.jsonl", """
            {"id":"a","input":"invoice payment refund please","expected":"billing"}
            {"id":"b","input":"crash error on update","expected":"tech"}
            {"id":"c","input":"payment error","expected":"tech"}
            {"id":"d","input":"zebra","expected":"tech"}
            """ + "\n"));
        // No chat model at all: a vote needs none.
        var summary = await new EvalRunner(Vote(pool, 3), new RecipeServices()).RunAsync(set, Path.Combine(ws.Root, "run"));
        var results = ResultStore<ItemResult>.ReadAll(Path.Combine(ws.Root, "run", EvalRunner.ResultsFile)).ToDictionary(r => r.Id);

        // Token-set Jaccard. a: p1 (3 shared of 5 distinct, 0.6), p2 (2/6), p3 (1/6) → billing, 3 votes.
        Assert.Equal("billing", results["a"].Prediction);
        Assert.Equal(["p1", "p2", "p3"], results["a"].Examples);
        // b: p5 (3/5), p4 (2/6), p6 (error: 1/7) → tech.
        Assert.Equal("tech", results["b"].Prediction);
        // c: "payment error": p3 1/4, then p1, p2, p5, p6 at 1/5 each (pool order breaks ties) → billing 3–0: wrong.
        Assert.Equal(["p3", "p1", "p2"], results["c"].Examples);
        Assert.Equal("billing", results["c"].Prediction);
        // d shares no word with any example: no neighbour votes, the pool's most frequent label (a 3–3 tie, ordinal: billing).
        Assert.Equal("billing", results["d"].Prediction);
        Assert.Empty(results["d"].Examples);
        Assert.Equal((4, 2), (summary.Completed, summary.Passed));
        Assert.Equal(0.5, summary.Metrics["accuracy"], 12);
    }

    [Fact]
    public async Task A_tied_vote_goes_to_the_label_with_the_larger_summed_similarity()
    {
        using var ws = new TempWorkspace();
        var pool = ws.Write("pool.jsonl", Pool + "\n");
        // k = 2: p4 "app crash on start" (3/6) for tech, p3 "card payment declined" (2/6) for billing: 1–1, tech has the larger sum.
        var set = EvalSet.Load(ws.Write("set.jsonl", "{\"id\":\"t\",\"input\":\"card declined crash on start\",\"expected\":\"tech\"}\n"));
        await new EvalRunner(Vote(pool, 2), new RecipeServices()).RunAsync(set, Path.Combine(ws.Root, "run"));
        var result = ResultStore<ItemResult>.ReadAll(Path.Combine(ws.Root, "run", EvalRunner.ResultsFile)).Single();
        Assert.Equal(["p4", "p3"], result.Examples);
        Assert.Equal("tech", result.Prediction);
        Assert.Equal("tech", NeighbourVote.Decide([("billing", 0.2), ("tech", 0.5)], "billing"));
        Assert.Equal("billing", NeighbourVote.Decide([("tech", 0.3), ("billing", 0.3)], "tech")); // equal sums: ordinal
        Assert.Equal("fallback", NeighbourVote.Decide([], "fallback"));
    }

    [Fact]
    public void A_knn_vote_recipe_without_nearest_examples_or_a_label_parser_is_refused_naming_the_field()
    {
        using var ws = new TempWorkspace();
        ws.Write("pool.jsonl", Pool + "\n");
        ws.Write("recipes/v.yaml", "kind: knn_vote\nfew_shot: { mode: fixed, k: 3, pool: ../pool.jsonl }\nparser: { kind: label, labels: [billing, tech] }\n");
        var ex = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "v"));
        Assert.Contains("few_shot.mode", ex.Message, StringComparison.Ordinal);
        ws.Write("recipes/w.yaml", "kind: knn_vote\nfew_shot: { mode: nearest, k: 3, pool: ../pool.jsonl }\n");
        ex = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "w"));
        Assert.Contains("parser.kind", ex.Message, StringComparison.Ordinal);
        ws.Write("recipes/x.yaml", "kind: vote\n");
        ex = Assert.Throws<LeverUserException>(() => RecipeLoader.Load(Workspace.Open(ws.Root), "x"));
        Assert.Contains("'vote' is not a recipe kind", ex.Message, StringComparison.Ordinal);
        Assert.Contains("x.yaml:1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kind_is_part_of_a_recipes_identity_and_a_chat_recipe_hashes_as_before_kinds_existed()
    {
        var chat = new Recipe { Name = "r" };
        var vote = new Recipe { Name = "r", Kind = Recipe.KnnVoteKind };
        Assert.NotEqual(chat.Hash(), vote.Hash());
        // The canonical JSON of a chat recipe has no kind field: cached answers of earlier runs stay valid.
        var canonical = JsonSerializer.Serialize(new
        {
            version = chat.Version, provider = chat.Provider, model = chat.Model, adapter = chat.Adapter, system_prompt = chat.SystemPrompt,
            user_template = chat.UserTemplate, few_shot = chat.FewShot, retrieval = chat.Retrieval, generation = chat.Generation, parser = chat.Parser,
        }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical))), chat.Hash());
    }

    /// <summary>Answers "x" after a delay that is longest for the first items, so concurrent answers finish out of order.</summary>
    private sealed class HeldModel(int failAt = -1) : IItemAnswerer
    {
        private int _calls;

        public async Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref _calls);
            if (n == failAt) throw new InvalidOperationException($"the model failed on call {n}");
            var i = int.Parse(item.Id[1..], System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(40 - 4 * i, cancellationToken);
            return new RecipeAnswer(item.Id == "q3" ? "wrong" : item.ExpectedText!, TokenUsage.Zero, 1, [], [], []) { BilledUsd = 0.25 };
        }

        public double Cost(RecipeAnswer answer) => answer.BilledUsd ?? 0;
    }

    private static EvalSet Numbered(TempWorkspace ws, int n) => EvalSet.Load(ws.Write("set.jsonl",
        string.Join('\n', Enumerable.Range(0, n).Select(i => $"{{\"id\":\"q{i}\",\"input\":\"item {i}\",\"expected\":\"a{i}\"}}")) + "\n"));

    [Fact]
    public async Task A_callers_answerer_runs_concurrently_and_a_finished_run_leaves_one_result_per_item_in_set_order()
    {
        using var ws = new TempWorkspace();
        var set = Numbered(ws, 8);
        var recipe = new Recipe { Name = "held", Scoring = new ScoringOptions { Scorers = ["exact"] } };
        var summary = await new EvalRunner(recipe, new HeldModel(), new EvalRunOptions { Concurrency = 4 }).RunAsync(set, Path.Combine(ws.Root, "run"));
        var results = ResultStore<ItemResult>.ReadAll(Path.Combine(ws.Root, "run", EvalRunner.ResultsFile));
        Assert.Equal(set.Items.Select(i => i.Id), results.Select(r => r.Id));
        Assert.Equal((8, 7), (summary.Completed, summary.Passed));
        Assert.All(results, r => Assert.Equal((0.25, 0.25), (r.CostUsd, r.BilledUsd!.Value)));
        Assert.False(File.Exists(Path.Combine(ws.Root, "run", EvalRunner.ResultsFile + ".tmp")));
    }

    [Fact]
    public async Task Stopping_on_the_first_failure_keeps_the_finished_answers_rethrows_it_and_the_next_run_resumes()
    {
        using var ws = new TempWorkspace();
        var set = Numbered(ws, 6);
        var recipe = new Recipe { Name = "held", Scoring = new ScoringOptions { Scorers = ["exact"] } };
        var options = new EvalRunOptions { Concurrency = 1, StopOnFirstFailure = true };
        var runDir = Path.Combine(ws.Root, "run");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => new EvalRunner(recipe, new HeldModel(failAt: 4), options).RunAsync(set, runDir));
        Assert.Equal("the model failed on call 4", ex.Message);
        Assert.Equal(["q0", "q1", "q2"], ResultStore<ItemResult>.ReadAll(Path.Combine(runDir, EvalRunner.ResultsFile)).Select(r => r.Id));
        Assert.True(File.Exists(Path.Combine(runDir, EvalRunner.SummaryFile)));

        var resumed = new HeldModel();
        var summary = await new EvalRunner(recipe, resumed, options).RunAsync(set, runDir);
        Assert.Equal((6, 5), (summary.Completed, summary.Passed));
        Assert.Equal(set.Items.Select(i => i.Id), ResultStore<ItemResult>.ReadAll(Path.Combine(runDir, EvalRunner.ResultsFile)).Select(r => r.Id));
    }

    /// <summary>Answers with a fixed text per item, ranking documents deeper than it reads and citing one (as the QA lab's reader does).</summary>
    private sealed class ReaderModel : IItemAnswerer
    {
        public Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default) => Task.FromResult(item.Id switch
        {
            "q1" => new RecipeAnswer("It takes four steps.", TokenUsage.Zero, 1, [new Retrieval.RetrievedPassage("b", "", 0, "b")], [], []) { Ranked = ["b", "a", "c"], Cited = "b" },
            _ => new RecipeAnswer("The limit is 128 megabytes", TokenUsage.Zero, 1, [new Retrieval.RetrievedPassage("a", "", 0, "a")], [], []) { Ranked = ["a"], Cited = "a" },
        });

        public double Cost(RecipeAnswer answer) => 0;
    }

    [Fact]
    public async Task The_answer_scorer_normalizes_numbers_and_units_and_retrieval_metrics_use_the_deeper_ranking()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", """
            {"id":"q1","input":"How many steps?","expected":"4","metadata":{"relevant":["a"]}}
            {"id":"q2","input":"What is the limit?","expected":"128MB","metadata":{"relevant":["a"]}}
            """ + "\n"));
        var recipe = new Recipe { Name = "reader", Scoring = new ScoringOptions { Scorers = ["answer", "contains"] } };
        var summary = await new EvalRunner(recipe, new ReaderModel()).RunAsync(set, Path.Combine(ws.Root, "run"));
        var results = ResultStore<ItemResult>.ReadAll(Path.Combine(ws.Root, "run", EvalRunner.ResultsFile)).ToDictionary(r => r.Id);
        // "four" is 4 and "128 megabytes" is 128mb to the answer scorer; plain containment finds neither.
        Assert.Equal(1.0, summary.Metrics["answer"], 12);
        Assert.Equal(0.0, summary.Metrics["contains"], 12);
        Assert.Equal(["b", "a", "c"], results["q1"].Ranked!);
        Assert.Equal("b", results["q1"].Cited);
        Assert.Equal(["b"], results["q1"].Passages);
        // The gold page is 2nd of q1's ranking (the passage read was only b) and 1st of q2's: MRR (1/2 + 1) / 2.
        Assert.Equal(0.75, summary.Metrics["retrieval_mrr"], 12);
        Assert.False(AnswerMatcherTest("1000 steps", "100"));
    }

    private static bool AnswerMatcherTest(string answer, string expected) => Scoring.AnswerMatcher.Contains(answer, expected);

    /// <summary>Answers each item with the JSON text its id names.</summary>
    private sealed class JsonModel(Dictionary<string, string> answers) : IItemAnswerer
    {
        public Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default) =>
            Task.FromResult(new RecipeAnswer(answers[item.Id], TokenUsage.Zero, 1, [], [], []));

        public double Cost(RecipeAnswer answer) => 0;
    }

    [Fact]
    public async Task Json_answers_get_field_level_micro_precision_recall_and_f1()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", """
            {"id":"a","input":"Acme owes 12.5 EUR","expected":{"name":"Acme","amount":12.5,"currency":"EUR"}}
            {"id":"b","input":"Beta owes 3 USD","expected":{"name":"Beta","amount":3,"currency":"USD"}}
            {"id":"c","input":"Gamma owes 7 GBP","expected":{"name":"Gamma","amount":7}}
            """ + "\n"));
        var answers = new Dictionary<string, string>
        {
            ["a"] = "{\"name\":\"acme\",\"amount\":12.5,\"currency\":\"EUR\"}",              // 3 expected, 3 answered, 3 right
            ["b"] = "{\"name\":\"Beta\",\"amount\":30,\"currency\":\"USD\",\"note\":\"late\"}", // 3 expected, 4 answered (one invented), 2 right
            ["c"] = "Gamma, 7",                                                                   // not JSON: 2 expected, 0 answered, 0 right
        };
        var recipe = new Recipe { Name = "extract", Parser = new ParserOptions { Kind = "json" } };
        var summary = await new EvalRunner(recipe, new JsonModel(answers)).RunAsync(set, Path.Combine(ws.Root, "run"));
        var results = ResultStore<ItemResult>.ReadAll(Path.Combine(ws.Root, "run", EvalRunner.ResultsFile)).ToDictionary(r => r.Id);
        Assert.Equal(new Scoring.FieldCounts(3, 4, 2), results["b"].JsonFields);
        Assert.Equal(new Scoring.FieldCounts(2, 0, 0), results["c"].JsonFields);
        // Micro over the set: right 5, answered 7, expected 8 → P 5/7, R 5/8, F1 2PR/(P+R) = 10/15 = 2/3.
        Assert.Equal(5.0 / 7, summary.Metrics["json_field_precision"], 12);
        Assert.Equal(5.0 / 8, summary.Metrics["json_field_recall"], 12);
        Assert.Equal(2.0 / 3, summary.Metrics["json_field_f1"], 12);
        // The json scorer's own value stays the share of expected fields right per item: (1 + 2/3 + 0) / 3.
        Assert.Equal((1 + 2.0 / 3) / 3, summary.Metrics["json"], 12);
    }
}
