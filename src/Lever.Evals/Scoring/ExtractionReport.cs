using Lever.Evals.Running;

namespace Lever.Evals.Scoring;

/// <summary>
/// Set-level metrics of an extraction or transformation run, read from the per-item scores Evals' own scorers wrote
/// (<c>exact</c>, <c>token_f1</c>, and <c>json</c>'s <see cref="FieldCounts"/>): exact-match rate, mean token-F1 and,
/// when the answers were scored as JSON, field-level micro precision, recall and F1. Nothing is re-scored here.
/// </summary>
/// <param name="Count">Items scored.</param>
/// <param name="ExactMatch">Share of items whose answer equals the expected output (the <c>exact</c> scorer).</param>
/// <param name="TokenF1">Mean SQuAD token-F1 (the <c>token_f1</c> scorer).</param>
/// <param name="FieldPrecision">Micro precision over JSON leaf fields; null when no item was scored as JSON.</param>
/// <param name="FieldRecall">Micro recall over JSON leaf fields; null when no item was scored as JSON.</param>
/// <param name="FieldF1">Micro F1 over JSON leaf fields; null when no item was scored as JSON.</param>
public sealed record ExtractionReport(int Count, double ExactMatch, double TokenF1, double? FieldPrecision, double? FieldRecall, double? FieldF1)
{
    /// <summary>Name of the primary metric: field-level F1 for JSON outputs, else token-F1.</summary>
    public string QualityMetric => FieldF1 is null ? "token_f1" : "field_f1";

    /// <summary>The primary metric's value.</summary>
    public double Quality => FieldF1 ?? TokenF1;

    /// <summary>
    /// One item's share of the primary metric, for paired comparisons: its field F1 (2·right / (expected + answered))
    /// when scored as JSON, else its token-F1.
    /// </summary>
    public static double ItemQuality(ItemResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.JsonFields is { } f) return f.Expected + f.Predicted == 0 ? 1 : 2.0 * f.Correct / (f.Expected + f.Predicted);
        return r.Scores.GetValueOrDefault("token_f1");
    }

    /// <summary>The report of <paramref name="results"/> (one per item).</summary>
    public static ExtractionReport Compute(IReadOnlyList<ItemResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) return new ExtractionReport(0, 0, 0, null, null, null);
        var exact = results.Average(r => r.Scores.GetValueOrDefault("exact"));
        var tokenF1 = results.Average(r => r.Scores.GetValueOrDefault("token_f1"));
        var fields = results.Select(r => r.JsonFields).OfType<FieldCounts>().ToList();
        if (fields.Count == 0) return new ExtractionReport(results.Count, exact, tokenF1, null, null, null);
        var (p, rec, f1) = FieldCounts.Micro(fields);
        return new ExtractionReport(results.Count, exact, tokenF1, p, rec, f1);
    }
}
