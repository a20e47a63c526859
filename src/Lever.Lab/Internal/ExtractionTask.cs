using System.Text.Json;
using Lever.Advisor;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Evals.Scoring;
using Lever.Lab.Data;

namespace Lever.Lab.Internal;

/// <summary>
/// What an extraction or transformation lab does differently from a classification lab, in one place: outputs are
/// texts (no classes), the split is random rather than per class, the base model also reads the training outputs, and
/// answers are scored by Evals' <c>exact</c>, <c>token_f1</c> and — when every training output is a JSON object —
/// <c>json</c> scorers, summed up by <see cref="ExtractionReport"/>.
/// </summary>
internal static class ExtractionTask
{
    /// <summary>True when every output of <paramref name="examples"/> is a JSON object (then answers are parsed and scored as JSON).</summary>
    public static bool JsonOutputs(IEnumerable<LabExample> examples) => examples.All(e => IsJsonObject(e.Label));

    /// <summary>The Evals parser and scorers of an extraction row: exact first (the pass/fail), then token-F1, then JSON fields.</summary>
    public static (ParserOptions Parser, ScoringOptions Scoring) EvalOptions(bool json) => json
        ? (new ParserOptions { Kind = "json" }, new ScoringOptions { Scorers = ["exact", "token_f1", "json"] })
        : (new ParserOptions { Kind = "text" }, new ScoringOptions { Scorers = ["exact", "token_f1"] });

    /// <summary>
    /// The pre-training text of one example: its input and its output in the shape the recipes prompt with
    /// (<c>Input: … / Output: …</c>), so the model has seen outputs written after the cue it will be given.
    /// </summary>
    public static string PretrainText(LabExample e) => "Input: " + e.Text.ReplaceLineEndings(" ") + Recipes.Extraction.OutputPrompt.Cue + Recipes.Extraction.OutputPrompt.Continuation(e.Label).TrimEnd('\n');

    /// <summary>The set's metrics and each item's outcome (exact match; its share of the primary metric as the score).</summary>
    public static (ExtractionReport Report, IReadOnlyDictionary<string, ItemOutcome> Outcomes) Score(IReadOnlyList<LabExample> test, IReadOnlyDictionary<string, ItemResult> byId)
    {
        var results = test.Select(e => byId[e.Id]).ToList();
        var outcomes = test.ToDictionary(e => e.Id, e => new ItemOutcome(byId[e.Id].Scores.GetValueOrDefault("exact") >= 1, ExtractionReport.ItemQuality(byId[e.Id])), StringComparer.Ordinal);
        return (ExtractionReport.Compute(results), outcomes);
    }

    /// <summary>
    /// The classification report an extraction row carries for the fields every lab row has: accuracy is the exact-match
    /// rate (the primary scorer's pass rate, as <c>lever eval</c> reports for non-label recipes), no classes.
    /// </summary>
    public static ClassificationReport Placeholder(ExtractionReport report) => new()
    {
        Accuracy = report.ExactMatch, MacroF1 = 0, Classes = new Dictionary<string, ClassMetrics>(), Confusion = new Dictionary<string, IReadOnlyDictionary<string, int>>(),
        Labels = [], Columns = [], Count = report.Count,
    };

    private static bool IsJsonObject(string text)
    {
        var t = text.Trim();
        if (!t.StartsWith('{')) return false;
        try
        {
            using var doc = JsonDocument.Parse(t);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
