using Lever.Evals.Internal;

namespace Lever.Evals.Scoring;

/// <summary>Normalized match (SQuAD): equal after lower-casing and dropping punctuation, articles and extra spaces.</summary>
internal sealed class NormalizedScorer : IScorer
{
    public string Name => "normalized";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var ok = input.Item.ExpectedText is { } e && TextNormalizer.Normalize(input.Output.Prediction) == TextNormalizer.Normalize(e);
        return ValueTask.FromResult(new Score(Name, ok ? 1 : 0, ok));
    }
}
