using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lever.Evals.Scoring;

/// <summary>
/// Numeric tolerance: the first number in the prediction is within <c>abs + rel·|expected|</c> of the expected
/// number. Thousands separators ("1,200") are read as one number.
/// </summary>
internal sealed partial class NumericScorer(double absolute, double relative) : IScorer
{
    public string Name => "numeric";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        double? expected = input.Item.Expected switch
        {
            { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
            { } e => FirstNumber(input.Item.ExpectedText),
            null => null,
        };
        if (expected is not { } want) return ValueTask.FromResult(new Score(Name, 0, false, "expected is not a number"));
        if (FirstNumber(input.Output.Prediction) is not { } got) return ValueTask.FromResult(new Score(Name, 0, false, "no number in the answer"));
        var ok = Math.Abs(got - want) <= absolute + relative * Math.Abs(want);
        return ValueTask.FromResult(new Score(Name, ok ? 1 : 0, ok, got.ToString(CultureInfo.InvariantCulture)));
    }

    internal static double? FirstNumber(string? text)
    {
        if (text is null) return null;
        var m = NumberPattern().Match(text);
        return m.Success && double.TryParse(m.Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    [GeneratedRegex(@"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][-+]?\d+)?")]
    private static partial Regex NumberPattern();
}
