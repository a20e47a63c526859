using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes.Local;
using Lever.Lab.Recipes.Retrieval;

namespace Lever.Lab.Tests;

/// <summary>Round-2 recipes on the synthetic corpus: retrieval (kNN vote, retrieval few-shot), calibrated prompting, distillation.</summary>
public sealed class RetrievalAndDistillationRecipeTests
{
    private static async Task<(LabReport Report, string Root)> Run(string root)
    {
        var ws = Workspace.Open(root);
        var config = LabConfiguration.Load(ws);
        return (await new LabRunner(ws, config, LabRunner.Recipes(config.Options), new RecordingObserver(), Lever.Reports.LabPages.Instance).RunAsync(CancellationToken.None), root);
    }

    [Fact]
    public async Task Knn_vote_over_a_BM25_index_of_the_training_emails_separates_the_synthetic_classes_and_is_reused()
    {
        // Ham and spam use disjoint vocabularies: every nearest neighbour of a test email is of its own class.
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 16, extraLab: """
              recipes: [rag-knn-vote]
              llm:
                rag_k: 3
            """);
        try
        {
            var (first, _) = await Run(root);
            Assert.Equal(["data", "train:rag-knn-vote", "eval:rag-knn-vote", "report"], first.Ran);
            var r = Assert.Single(first.Results);
            Assert.Equal(LeverKind.Rag, r.Lever);
            Assert.Equal(32, r.Metrics.Count);
            Assert.Equal(1.0, r.Metrics.Accuracy);
            var corpus = JsonLines.Read<System.Text.Json.Nodes.JsonObject>(Path.Combine(root, ".lever", "lab", "recipes", "rag-knn-vote", TrainingEmailIndex.CorpusFile));
            var data = JsonLines.Read<LabExample>(Path.Combine(root, ".lever", "lab", "data", "train.jsonl"));
            Assert.Equal(data.Select(e => e.Id), corpus.Select(o => (string)o["id"]!)); // the training split only

            var (second, _) = await Run(root);
            Assert.Empty(second.Ran);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Vote_takes_the_majority_and_breaks_ties_by_summed_score()
    {
        static (LabExample, double) N(string label, double score) => (new LabExample("x", "g", label, "", "", ""), score);
        Assert.Equal("spam", RetrievalVoteRecipe.Vote([N("ham", 9), N("spam", 1), N("spam", 1)], "ham"));
        Assert.Equal("ham", RetrievalVoteRecipe.Vote([N("spam", 2), N("ham", 3)], "spam"));
        Assert.Equal("spam", RetrievalVoteRecipe.Vote([N("spam", 3), N("ham", 2)], "ham"));
        Assert.Equal("ham", RetrievalVoteRecipe.Vote([], "ham"));
    }

    [Fact]
    public void Calibration_subtracts_the_content_free_label_prior_before_the_argmax()
    {
        // Uncalibrated, "ham" wins (-1 > -2); the model gives "ham" far more mass on a content-free input, so calibrated "spam" wins.
        Assert.Equal(0, LabelScorer.Pick([-1.0, -2.0], null));
        Assert.Equal(1, LabelScorer.Pick([-1.0, -2.0], [Math.Log(0.9), Math.Log(0.1)]));
        // A uniform prior changes nothing.
        Assert.Equal(0, LabelScorer.Pick([-1.0, -2.0], [Math.Log(0.5), Math.Log(0.5)]));
    }

    [Trait("tier", "slow")]
    [Fact]
    public async Task Calibrated_prompting_retrieval_few_shot_and_a_distilled_student_run_on_the_lab_model()
    {
        var root = SyntheticCorpus.CreateWorkspace(perGroup: 10, extraLab: $"""
              recipes: [local-zero-shot-calibrated, local-rag-few-shot, local-full-fine-tune, local-distilled]
            {SyntheticCorpus.TinyLlm("few_shot: 2")}
              compute:
                requests_per_month: 1000
            """);
        try
        {
            var (first, _) = await Run(root);
            Assert.Equal(["data", "tokenizer", "pretrain", "train:local-zero-shot-calibrated", "eval:local-zero-shot-calibrated", "train:local-rag-few-shot", "eval:local-rag-few-shot",
                "train:local-full-fine-tune", "eval:local-full-fine-tune", "train:local-distilled", "eval:local-distilled", "report"], first.Ran);
            var byName = first.Results.ToDictionary(r => r.Name);
            Assert.Equal([LeverKind.Prompt, LeverKind.Rag, LeverKind.FineTuneFull, LeverKind.Distill], first.Results.Select(r => r.Lever));
            foreach (var r in first.Results)
            {
                Assert.Equal(20, r.Metrics.Count);
                Assert.DoesNotContain(Evals.Scoring.ClassificationReport.Invalid, r.Metrics.Columns);
            }
            // The student's training time is the teacher's (pre-training included) plus its labelling pass and own fine-tune.
            Assert.True(byName["local-distilled"].TrainSeconds > byName["local-full-fine-tune"].TrainSeconds);
            Assert.True(byName["local-full-fine-tune"].TrainSeconds > byName["local-zero-shot-calibrated"].TrainSeconds);
            var lab = Path.Combine(root, ".lever", "lab");
            var labels = JsonLines.Read<System.Text.Json.Nodes.JsonObject>(Path.Combine(lab, "recipes", "local-distilled", "teacher-labels.jsonl"));
            var train = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "train.jsonl"));
            var validation = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "validation.jsonl"));
            var test = JsonLines.Read<LabExample>(Path.Combine(lab, "data", "test.jsonl"));
            // The teacher labels the training and validation emails, never a test email, always with a valid class.
            Assert.Equal(train.Concat(validation).Select(e => e.Id), labels.Select(l => (string)l["id"]!));
            Assert.Empty(labels.Select(l => (string)l["id"]!).Intersect(test.Select(e => e.Id)));
            Assert.All(labels, l => Assert.Contains((string)l["label"]!, new[] { "ham", "spam" }));
            Assert.True(File.Exists(Path.Combine(lab, "recipes", "local-distilled", "model", "model.safetensors")));

            var (second, _) = await Run(root);
            Assert.Empty(second.Ran);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void The_student_without_its_teacher_is_refused()
    {
        var e = Assert.Throws<LeverUserException>(() => LabRunner.Recipes(new LabOptions { Recipes = ["local-distilled"] }));
        Assert.Contains("local-full-fine-tune", e.Hint ?? e.Message + e.Hint, StringComparison.Ordinal);
    }
}
