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
        var m = ClassificationMetrics.Compute(["ham", "spam"], expected, predicted);
        Assert.Equal(5.0 / 8, m.Accuracy, 12);
        Assert.Equal([3L, 1L], m.Confusion[0]);
        Assert.Equal([2L, 2L], m.Confusion[1]);
        // ham: P = 3/5, R = 3/4 → F1 = 2/3; spam: P = 2/3, R = 2/4 → F1 = 4/7.
        Assert.Equal(2.0 / 3, m.F1[0], 12);
        Assert.Equal(4.0 / 7, m.F1[1], 12);
        Assert.Equal((2.0 / 3 + 4.0 / 7) / 2, m.MacroF1, 12);
        Assert.Equal(8, m.Count);
    }

    [Fact]
    public void A_prediction_outside_the_label_set_is_wrong_and_gets_its_own_column()
    {
        var m = ClassificationMetrics.Compute(["ham", "spam"], ["ham", "spam"], ["ham", "maybe"]);
        Assert.Equal(["ham", "spam", ClassificationMetrics.Other], m.Columns);
        Assert.Equal(0.5, m.Accuracy);
        Assert.Equal([0L, 0L, 1L], m.Confusion[1]);
        Assert.Equal(0, m.F1[1]);
    }

    [Fact]
    public void A_class_never_predicted_has_f1_zero_not_nan()
    {
        var m = ClassificationMetrics.Compute(["ham", "spam"], ["ham", "spam"], ["ham", "ham"]);
        Assert.Equal(0, m.F1[1]);
        Assert.False(double.IsNaN(m.MacroF1));
    }

    [Theory]
    // numpy.percentile([1, 2, 3, 4], q) with the default linear interpolation.
    [InlineData(50, 2.5)]
    [InlineData(95, 3.85)]
    [InlineData(0, 1)]
    [InlineData(100, 4)]
    public void Percentile_matches_numpy_linear(double p, double expected) =>
        Assert.Equal(expected, ClassificationMetrics.Percentile([4, 1, 3, 2], p), 12);

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
}
