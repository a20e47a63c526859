namespace Lever.Evals.Scoring;

/// <summary>
/// Label accuracy per item (case-insensitive label equality; an unparsable answer is wrong). Macro-F1 and the
/// confusion matrix are set-level: see <see cref="ClassificationReport"/>.
/// </summary>
internal sealed class LabelScorer : IScorer
{
    public string Name => "label";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var ok = input.Output.Ok && input.Item.ExpectedText is { } e && string.Equals(input.Output.Prediction, e, StringComparison.OrdinalIgnoreCase);
        return ValueTask.FromResult(new Score(Name, ok ? 1 : 0, ok, input.Output.Ok ? null : input.Output.Error));
    }
}
