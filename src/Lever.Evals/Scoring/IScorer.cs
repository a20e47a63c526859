namespace Lever.Evals.Scoring;

/// <summary>Scores one prediction against its item. Stateless, so scorers run concurrently across items.</summary>
public interface IScorer
{
    /// <summary>The name used in recipes and summaries.</summary>
    string Name { get; }

    /// <summary>Scores <paramref name="input"/>.</summary>
    ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default);
}
