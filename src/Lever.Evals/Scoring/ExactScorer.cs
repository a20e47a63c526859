namespace Lever.Evals.Scoring;

/// <summary>Exact match: the prediction equals the expected text, byte for byte after trimming.</summary>
internal sealed class ExactScorer : IScorer
{
    public string Name => "exact";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var ok = input.Item.ExpectedText is { } e && string.Equals(input.Output.Prediction.Trim(), e.Trim(), StringComparison.Ordinal);
        return ValueTask.FromResult(new Score(Name, ok ? 1 : 0, ok));
    }
}
