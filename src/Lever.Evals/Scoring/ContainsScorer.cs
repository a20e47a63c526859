using System.Text.Json;
using Lever.Evals.Internal;

namespace Lever.Evals.Scoring;

/// <summary>
/// Contains: the expected text (or every string of an expected array) occurs in the prediction, compared
/// after normalization on token boundaries. Value is the fraction found.
/// </summary>
internal sealed class ContainsScorer : IScorer
{
    public string Name => "contains";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var needles = Needles(input.Item.Expected);
        if (needles.Count == 0) return ValueTask.FromResult(new Score(Name, 0, false, "no expected text"));
        var missing = needles.Where(n => !TextNormalizer.ContainsNormalized(input.Output.Prediction, n)).ToList();
        double value = (double)(needles.Count - missing.Count) / needles.Count;
        return ValueTask.FromResult(new Score(Name, value, missing.Count == 0, missing.Count == 0 ? null : "missing: " + string.Join(", ", missing)));
    }

    private static List<string> Needles(JsonElement? expected) => expected switch
    {
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(),
        { ValueKind: JsonValueKind.String } s => [s.GetString()!],
        { } other => [other.GetRawText()],
        null => [],
    };
}
