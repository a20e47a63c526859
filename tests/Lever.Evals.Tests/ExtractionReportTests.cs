using Lever.Evals.Cost;
using Lever.Evals.Running;
using Lever.Evals.Scoring;

namespace Lever.Evals.Tests;

/// <summary><see cref="ExtractionReport"/>: the set metrics of an extraction run, summed from the scorers' own per-item results.</summary>
public sealed class ExtractionReportTests
{
    private static ItemResult Item(double exact, double tokenF1, FieldCounts? fields) => new()
    {
        Id = "x", ItemHash = "h", RecipeHash = "r", Prediction = "", Raw = "", Usage = TokenUsage.Zero,
        Scores = new() { ["exact"] = exact, ["token_f1"] = tokenF1 }, JsonFields = fields,
    };

    [Fact]
    public void Field_scores_are_micro_over_leaf_fields_and_the_quality_is_field_f1()
    {
        // Answered 3 of 4 fields right (one invented), then 0 of 2 (not JSON): P 3/4, R 3/6, F1 2·3/(4+6) = 0.6.
        var report = ExtractionReport.Compute([Item(0, 0.8, new FieldCounts(4, 4, 3)), Item(0, 0.2, new FieldCounts(2, 0, 0))]);
        Assert.Equal((0.75, 0.5, 0.6), (report.FieldPrecision!.Value, report.FieldRecall!.Value, Math.Round(report.FieldF1!.Value, 12)));
        Assert.Equal(0.5, report.TokenF1, 12);
        Assert.Equal(("field_f1", 0.6), (report.QualityMetric, Math.Round(report.Quality, 12)));
        Assert.Equal(2.0 * 3 / 8, ExtractionReport.ItemQuality(Item(0, 0.8, new FieldCounts(4, 4, 3))), 12);
    }

    [Fact]
    public void Without_json_fields_the_quality_is_mean_token_f1_and_exact_is_the_exact_share()
    {
        var report = ExtractionReport.Compute([Item(1, 1, null), Item(0, 0.5, null), Item(0, 0, null), Item(1, 1, null)]);
        Assert.Equal((0.5, 0.625, "token_f1"), (report.ExactMatch, report.TokenF1, report.QualityMetric));
        Assert.Null(report.FieldF1);
        Assert.Equal(0.5, ExtractionReport.ItemQuality(Item(0, 0.5, null)), 12);
    }
}
