using Lever.Evals.Metrics;
using Lever.Evals.Scoring;
using Lever.Evals;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Recipes.Provider.Internal;
using Lever.Lab.Reporting;

namespace Lever.Lab.Tests;

public sealed class ClassificationMetricsTests
{
    [Fact]
    public void Accuracy_macro_f1_and_confusion_match_hand_computed_values()
    {
        // ham: 3 right, 1 called spam; spam: 2 right, 2 called ham.
        string[] expected = ["ham", "ham", "ham", "ham", "spam", "spam", "spam", "spam"];
        string[] predicted = ["ham", "ham", "ham", "spam", "spam", "spam", "ham", "ham"];
        var m = ClassificationReport.Compute(expected.Zip(predicted, (e, p) => (e, (string?)p)).ToList(), ["ham", "spam"]);
        Assert.Equal(5.0 / 8, m.Accuracy, 12);
        Assert.Equal([3, 1], m.Columns.Select(c => m.Cell("ham", c)));
        Assert.Equal([2, 2], m.Columns.Select(c => m.Cell("spam", c)));
        // ham: P = 3/5, R = 3/4 → F1 = 2/3; spam: P = 2/3, R = 2/4 → F1 = 4/7.
        Assert.Equal(2.0 / 3, m.F1Of("ham"), 12);
        Assert.Equal(4.0 / 7, m.F1Of("spam"), 12);
        Assert.Equal((2.0 / 3 + 4.0 / 7) / 2, m.MacroF1, 12);
        Assert.Equal(8, m.Count);
    }

    [Fact]
    public void A_prediction_outside_the_label_set_is_wrong_and_gets_its_own_column()
    {
        var m = ClassificationReport.Compute([("ham", "ham"), ("spam", "maybe")], ["ham", "spam"]);
        Assert.Equal(["ham", "spam", ClassificationReport.Invalid], m.Columns);
        Assert.Equal(0.5, m.Accuracy);
        Assert.Equal([0, 0, 1], m.Columns.Select(c => m.Cell("spam", c)));
        Assert.Equal(0, m.F1Of("spam"));
    }

    [Fact]
    public void A_class_never_predicted_has_f1_zero_not_nan()
    {
        var m = ClassificationReport.Compute([("ham", "ham"), ("spam", "ham")], ["ham", "spam"]);
        Assert.Equal(0, m.F1Of("spam"));
        Assert.False(double.IsNaN(m.MacroF1));
    }

    [Theory]
    // numpy.percentile([1, 2, 3, 4], q) with the default linear interpolation.
    [InlineData(50, 2.5)]
    [InlineData(95, 3.85)]
    [InlineData(0, 1)]
    [InlineData(100, 4)]
    public void Percentile_matches_numpy_linear(double p, double expected) =>
        Assert.Equal(expected, Percentile.Of([4, 1, 3, 2], p), 12);

    [Fact]
    public void Cost_follows_the_stated_formula()
    {
        // 2 ms per answer on 1 core at $0.036/core-hour; 360 s of training on 2 cores over 12 months of 100,000 answers.
        var compute = new LabComputeOptions { CpuHourUsd = 0.036, AmortizeMonths = 12 };
        var cost = LabCost.Compute(meanLatencyMs: 2, answerCores: 1, billedPerAnswerUsd: null, trainSeconds: 360, trainCores: 2, compute, requestsPerMonth: 100_000);
        var perCoreSecond = 0.036 / 3600;
        Assert.Equal(1000 * 0.002 * perCoreSecond, cost.AnswerPer1kUsd, 15);
        Assert.Equal(360 * 2 * perCoreSecond, cost.TrainingUsd, 15);
        Assert.Equal(1000 * 360 * 2 * perCoreSecond / (12 * 100_000), cost.TrainingPer1kUsd, 15);
        Assert.Equal(cost.Per1kUsd * 100, cost.MonthlyUsd, 12);
        var billed = LabCost.Compute(2, 1, billedPerAnswerUsd: 0.0001, 0, 1, compute, 100_000);
        Assert.Equal(1000 * (0.002 * perCoreSecond + 0.0001), billed.Per1kUsd, 12);
    }

    [Fact]
    public void The_lab_and_an_eval_score_the_same_answers_alike()
    {
        // The same 10 answers, one a reply that named no label and one in another case: as the lab stores them
        // (the lab's answer parsed by its label parser) and as an eval stores them (results.jsonl), each scored by its own command's path.
        string[] gold = ["ham", "ham", "ham", "ham", "ham", "spam", "spam", "spam", "spam", "spam"];
        string?[] said = ["ham", "ham", "spam", "Ham", null, "spam", "spam", "ham", "spam", null];
        var ids = gold.Select((_, i) => $"e{i}").ToList();

        var test = ids.Select((id, i) => new LabExample(id, "g", gold[i], "subject", "from", "text")).ToList();
        var parser = new Lever.Evals.Parsing.OutputParser(new ParserOptions { Kind = "label", Labels = ["ham", "spam"] });
        var lines = ids.Select((id, i) => (id, parsed: parser.Parse(said[i] ?? HostedClassifier.Unparsed))).ToDictionary(p => p.id, p => new ItemResult
        {
            Id = p.id, ItemHash = p.id, RecipeHash = "lab", Prediction = p.parsed.Prediction, Raw = p.parsed.Raw, ParseError = p.parsed.Error,
            Scores = [], Usage = TokenUsage.Zero,
        }, StringComparer.Ordinal);
        var lab = LabRunner.Metrics(test, lines);

        var dir = Directory.CreateTempSubdirectory("lever-f1-").FullName;
        try
        {
            var setPath = Path.Combine(dir, "set.jsonl");
            File.WriteAllLines(setPath, ids.Select((id, i) => $"{{\"id\":\"{id}\",\"input\":\"text\",\"expected\":\"{gold[i]}\"}}"));
            var set = EvalSet.Load(setPath);
            var recipe = new Recipe { Name = "r", Parser = new ParserOptions { Kind = "label", Labels = ["ham", "spam"] } };
            var results = set.Items.Select((item, i) => new ItemResult
            {
                Id = item.Id, ItemHash = item.Hash, RecipeHash = recipe.Hash(), Expected = item.ExpectedText,
                Prediction = said[i] ?? "", Raw = said[i] ?? "I cannot tell", ParseError = said[i] is null ? "no label in the answer" : null,
                Scores = [], Usage = new TokenUsage(0, 0, 0),
            }).ToList();
            var eval = RunReport.Summarize("run", recipe, set, results, []);

            // ham: P 3/4 R 3/5; spam: P 3/4 R 3/5 → F1 2/3 each; accuracy 6/10.
            Assert.Equal(0.6, lab.Accuracy, 12);
            Assert.Equal(2.0 / 3, lab.MacroF1, 12);
            Assert.Equal(lab.Accuracy, eval.Metrics["accuracy"], 12);
            Assert.Equal(lab.MacroF1, eval.Metrics["macro_f1"], 12);
            Assert.Equal(2, lab.Labels.Sum(l => lab.Cell(l, ClassificationReport.Invalid)));
            Assert.Equal(2, eval.Confusion!.Values.Sum(row => row.GetValueOrDefault(ClassificationReport.Invalid)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
