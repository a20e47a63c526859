using System.Text.Json;

namespace Lever.Evals.Scoring;

/// <summary>
/// Answer: the expected answer occurs in the prediction on word boundaries after <see cref="AnswerMatcher"/>'s
/// normalization (number words as digits, byte units joined to their number), so "four" matches 4 and "128 megabytes"
/// matches 128MB. Stricter about numbers than <c>contains</c>, looser about their spelling: the QA lab's rule.
/// </summary>
internal sealed class AnswerScorer : IScorer
{
    public string Name => "answer";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        if (input.Item.Expected is not { ValueKind: JsonValueKind.String } expected)
            return ValueTask.FromResult(new Score(Name, 0, false, "the answer scorer needs the expected answer as a string"));
        var ok = AnswerMatcher.Contains(input.Output.Prediction, expected.GetString()!);
        return ValueTask.FromResult(new Score(Name, ok ? 1 : 0, ok, ok ? null : "expected answer not in the prediction"));
    }
}
