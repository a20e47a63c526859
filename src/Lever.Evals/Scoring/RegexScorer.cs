using System.Text.RegularExpressions;

namespace Lever.Evals.Scoring;

/// <summary>Regex: the expected text is a .NET regular expression the prediction must match (1 s timeout per match).</summary>
internal sealed class RegexScorer : IScorer
{
    public string Name => "regex";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        if (input.Item.ExpectedText is not { } pattern) return ValueTask.FromResult(new Score(Name, 0, false, "no expected pattern"));
        try
        {
            var ok = Regex.IsMatch(input.Output.Prediction, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return ValueTask.FromResult(new Score(Name, ok ? 1 : 0, ok));
        }
        catch (ArgumentException ex)
        {
            return ValueTask.FromResult(new Score(Name, 0, false, $"invalid pattern: {ex.Message}"));
        }
        catch (RegexMatchTimeoutException)
        {
            return ValueTask.FromResult(new Score(Name, 0, false, "pattern timed out"));
        }
    }
}
