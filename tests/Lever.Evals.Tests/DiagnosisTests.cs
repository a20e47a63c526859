using Lever.Evals.Data;
using Lever.Evals.Diagnosis;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Lever.Evals.Running;
using Lever.Evals.Tests.TestModels;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests;

/// <summary>Planted failures: each recipe/model pair fails for a known reason, and the diagnosis must name it.</summary>
public class DiagnosisTests
{
    private static readonly RetrievedPassage[] Corpus =
    [
        new("geo#1", "The capital of Zorbia is Quix.", 0, "geo.md"),
        new("geo#2", "The longest river of Zorbia is the Velm.", 0, "geo.md"),
        new("hist#1", "The founder of Zorbia is Adra Moll.", 0, "history.md"),
        new("misc#1", "Shipping to Zorbia takes five days.", 0, "misc.md"),
    ];

    private const string FactSet = """
        {"id":"capital","input":"What is the capital of Zorbia?","expected":"Quix","metadata":{"relevant":["geo#1"]}}
        {"id":"river","input":"What is the longest river of Zorbia?","expected":"the Velm","metadata":{"relevant":["geo#2"]}}
        {"id":"founder","input":"Who is the founder of Zorbia?","expected":"Adra Moll","metadata":{"relevant":["hist#1"]}}
        """;

    private static Recipe FactRecipe(bool retrieve) => new()
    {
        Name = retrieve ? "rag" : "closed-book",
        SystemPrompt = "Answer briefly.",
        Retrieval = new RetrievalOptions { Index = retrieve ? "docs" : null, K = 2 },
        Scoring = new ScoringOptions { Scorers = ["normalized"] },
    };

    [Fact]
    public async Task Fact_questions_without_the_corpus_are_knowledge_gaps_that_retrieval_would_fix()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("facts.jsonl", FactSet));
        var retriever = new LexicalRetriever(Corpus);
        var services = new RecipeServices { Chat = new TextModel(ContextReader.Answer), Retriever = retriever, CorpusIndex = "docs" };

        var closed = await new EvalRunner(FactRecipe(retrieve: false), services).RunAsync(set, Path.Combine(ws.Root, "closed"));
        Assert.Equal(0, closed.Passed);
        Assert.Equal(3, closed.Diagnosis[FailureCategory.Knowledge]);
        Assert.Equal("rag", closed.Levers[FailureCategory.Knowledge]);
        var reasons = File.ReadAllLines(Path.Combine(ws.Root, "closed", EvalRunner.ResultsFile));
        Assert.All(reasons, r => Assert.Contains("retrieval would supply it", r));

        // The lever works: the same reader with retrieval on answers all three.
        var rag = await new EvalRunner(FactRecipe(retrieve: true), services).RunAsync(set, Path.Combine(ws.Root, "rag"));
        Assert.Equal(3, rag.Passed);
        Assert.Equal(0, rag.Diagnosis.Values.Sum());
        Assert.Equal(1.0, rag.Metrics["retrieval_recall_at_k"], 12);
        Assert.Equal(1.0, rag.Metrics["retrieval_mrr"], 12);

        // Retrieval is charged per answer: 3 answers × $0.001, on top of free tokens.
        var charged = await new EvalRunner(FactRecipe(retrieve: true), new RecipeServices { Chat = new TextModel(ContextReader.Answer), Retriever = retriever, RetrievalCostPerQuery = 0.001 })
            .RunAsync(set, Path.Combine(ws.Root, "charged"));
        Assert.Equal(0.003, charged.CostUsd, 12);
    }

    [Fact]
    public async Task Without_any_corpus_a_missing_fact_is_still_a_knowledge_gap()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("facts.jsonl", FactSet));
        var summary = await new EvalRunner(FactRecipe(false), new RecipeServices { Chat = new TextModel(ContextReader.Answer) }).RunAsync(set, Path.Combine(ws.Root, "r"));
        Assert.Equal(3, summary.Diagnosis[FailureCategory.Knowledge]);
    }

    private const string TicketSet = """
        {"id":"t1","input":"I was charged twice on my invoice","expected":"billing"}
        {"id":"t2","input":"Please refund the double charge on my invoice","expected":"billing"}
        {"id":"t3","input":"The app crashes when I open settings","expected":"technical"}
        {"id":"t4","input":"The app crashes on startup after the update","expected":"technical"}
        """;

    private static Recipe Triage() => new()
    {
        Name = "triage",
        SystemPrompt = "Classify the ticket as one of: {{labels}}. Answer with the label only.",
        Parser = new ParserOptions { Kind = "label", Labels = ["billing", "technical", "other"] },
    };

    private static string Keyword(string text) => text.Contains("invoice", StringComparison.Ordinal) ? "billing" : "technical";

    [Fact]
    public async Task Right_label_in_the_wrong_form_is_a_behaviour_gap()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("tickets.jsonl", TicketSet));
        var chatty = new TextModel(m => $"Sure! This ticket is about {Keyword(TextModel.LastUser(m))}.");
        var summary = await new EvalRunner(Triage(), new RecipeServices { Chat = chatty }).RunAsync(set, Path.Combine(ws.Root, "r"));
        Assert.Equal(0, summary.Passed);
        Assert.Equal(4, summary.Diagnosis[FailureCategory.Behaviour]);
        Assert.Equal("fine_tune", summary.Levers[FailureCategory.Behaviour]);
        Assert.Equal(4, chatty.Calls); // behaviour is recognised from the answer alone: no probe calls
    }

    /// <summary>Answers "other" unless shown examples, then copies the label of the most similar example.</summary>
    private static string Imitator(IReadOnlyList<ChatMessage> m)
    {
        var question = Internal.TextNormalizer.Tokens(TextModel.LastUser(m)).ToHashSet();
        string? best = null;
        int bestOverlap = 0;
        for (int i = 0; i + 1 < m.Count - 1; i++)
        {
            if (m[i].Role != ChatRole.User || m[i + 1].Role != ChatRole.Assistant) continue;
            int overlap = Internal.TextNormalizer.Tokens(m[i].Text).Count(question.Contains);
            if (overlap > bestOverlap)
            {
                bestOverlap = overlap;
                best = m[i + 1].Text;
            }
        }
        return best ?? "other";
    }

    [Fact]
    public async Task Failures_that_few_shot_examples_fix_are_prompt_gaps_and_the_rest_capability_gaps()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("tickets.jsonl", TicketSet));
        var imitator = new TextModel(Imitator);
        var summary = await new EvalRunner(Triage(), new RecipeServices { Chat = imitator }).RunAsync(set, Path.Combine(ws.Root, "p"));
        Assert.Equal(4, summary.Diagnosis[FailureCategory.Prompt]);
        Assert.Equal(8, imitator.Calls); // one answer and one probe per item

        var stubborn = new TextModel(_ => "other");
        var capability = await new EvalRunner(Triage(), new RecipeServices { Chat = stubborn }).RunAsync(set, Path.Combine(ws.Root, "c"));
        Assert.Equal(4, capability.Diagnosis[FailureCategory.Capability]);
        Assert.Equal(0.0, capability.Metrics["accuracy"]);
        Assert.Equal(2, capability.Confusion!["billing"]["other"]);

        // And the lever it points to works: the imitator with a nearest few-shot recipe passes.
        var recipe = Triage();
        recipe.FewShot = new FewShotOptions { Mode = "nearest", K = 2, Pool = set.Path };
        var fixedRun = await new EvalRunner(recipe, new RecipeServices { Chat = new TextModel(Imitator) }).RunAsync(set, Path.Combine(ws.Root, "f"));
        Assert.Equal(4, fixedRun.Passed);
        Assert.Equal(1.0, fixedRun.Metrics["macro_f1"], 12);
    }

    [Fact]
    public async Task An_optional_judge_names_the_gap_only_where_the_heuristics_found_none()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("tickets.jsonl", TicketSet));
        var judge = new TextModel(_ => "Prompt: the instruction did not say how to break ties.");
        var summary = await new EvalRunner(Triage(), new RecipeServices { Chat = new TextModel(_ => "other"), DiagnosisJudge = judge }).RunAsync(set, Path.Combine(ws.Root, "j"));
        Assert.Equal(4, summary.Diagnosis[FailureCategory.Prompt]);
        Assert.Equal(4, judge.Calls);
        Assert.Contains("judge: the instruction did not say", File.ReadAllText(Path.Combine(ws.Root, "j", EvalRunner.ResultsFile)), StringComparison.Ordinal);

        // Evidence wins: a behaviour gap is never sent to the judge.
        var judge2 = new TextModel(_ => "capability");
        var chatty = new TextModel(m => $"This is {Keyword(TextModel.LastUser(m))}.");
        var behaviour = await new EvalRunner(Triage(), new RecipeServices { Chat = chatty, DiagnosisJudge = judge2 }).RunAsync(set, Path.Combine(ws.Root, "b"));
        Assert.Equal(4, behaviour.Diagnosis[FailureCategory.Behaviour]);
        Assert.Equal(0, judge2.Calls);
    }

    [Fact]
    public async Task Embedding_few_shot_picks_the_nearest_examples_and_charges_their_embedding_tokens()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("tickets.jsonl", TicketSet));
        var recipe = Triage();
        recipe.FewShot = new FewShotOptions { Mode = "nearest", K = 1, Pool = set.Path, Similarity = "embedding" };
        var embedder = new BagOfWordsEmbedder();
        var summary = await new EvalRunner(recipe, new RecipeServices { Chat = new TextModel(Imitator), Embeddings = embedder, EmbeddingPricePerMillion = 1.0 }).RunAsync(set, Path.Combine(ws.Root, "e"));
        Assert.Equal(4, summary.Passed); // the single nearest example always has the right label
        Assert.Equal(5, embedder.Calls); // the pool once, then one query per item
        // Pool: 7 + 8 + 7 + 8 = 30 words, queries the same 30: 60 tokens at $1 per million; chat tokens are free here.
        Assert.Equal(60 / 1e6, summary.CostUsd, 15);
    }
}
