using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Scoring;

/// <summary>
/// LLM-as-judge: a configured model grades the answer against the expected answer and a rubric on a 1–5 scale
/// (the first standalone integer 1–5 of its reply: "4/5", "Score: 5 — …" read as 4 and 5, while the "10" of "10/10" or
/// the "2" of "2023" or "2.5" is not a score). Value is (s−1)/4; 4 or 5 passes. Greedy decoding, so a judge is repeatable.
/// </summary>
internal sealed partial class JudgeScorer(IChatClient judge, string rubric) : IScorer
{
    public string Name => "judge";

    public async ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var prompt = $"""
            You grade answers. Rubric: {rubric}
            Question: {input.Item.QueryText}
            Reference answer: {input.Item.ExpectedText ?? "(none)"}
            Candidate answer: {input.Output.Raw}
            Reply with one line: a score from 1 (wrong) to 5 (fully right per the rubric), then a short reason.
            """;
        var response = await judge.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)],
            new ChatOptions { Temperature = 0, MaxOutputTokens = 64 }, cancellationToken).ConfigureAwait(false);
        var m = Digit().Match(response.Text);
        if (!m.Success) return new Score(Name, 0, false, "judge gave no 1-5 score: " + Trim(response.Text));
        var s = int.Parse(m.Value, CultureInfo.InvariantCulture);
        return new Score(Name, (s - 1) / 4.0, s >= 4, Trim(response.Text));
    }

    private static string Trim(string t) => t.Length <= 200 ? t.Trim() : t[..200].Trim() + "…";

    // A digit 1-5 with no digit, decimal point or decimal comma right before or after it.
    [GeneratedRegex(@"(?<![\d.,])[1-5](?![\d]|[.,]\d)")]
    private static partial Regex Digit();
}
