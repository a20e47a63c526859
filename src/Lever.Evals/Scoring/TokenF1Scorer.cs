using System.Globalization;

namespace Lever.Evals.Scoring;

/// <summary>SQuAD token F1 between prediction and expected; passes at or above a threshold.</summary>
internal sealed class TokenF1Scorer(double passAt) : IScorer
{
    public string Name => "token_f1";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var f1 = TokenF1.Compute(input.Output.Prediction, input.Item.ExpectedText);
        return ValueTask.FromResult(new Score(Name, f1, f1 >= passAt, f1.ToString("0.###", CultureInfo.InvariantCulture)));
    }
}
