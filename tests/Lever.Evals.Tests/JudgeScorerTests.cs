using Lever.Evals.Parsing;
using Lever.Evals.Recipes;
using Lever.Evals.Scoring;
using Lever.Evals.Tests.TestModels;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests;

public class JudgeScorerTests
{
    private static async Task<(Score Score, string Prompt)> Judge(string reply, string? rubric = null)
    {
        string prompt = "";
        var judge = new TextModel(messages => { prompt = messages[^1].Text; return reply; });
        var scorer = ScorerFactory.Create("judge", new ScoringOptions { JudgeRubric = rubric }, judge);
        var item = ScorerTests.Item("""{"input":"Who built it?","expected":"Gustave Eiffel's company"}""");
        var score = await scorer.ScoreAsync(new ScoringInput(item, new OutputParser(new ParserOptions()).Parse("Eiffel's firm"), []));
        return (score, prompt);
    }

    [Theory]
    [InlineData("5 - states the same fact", 1.0, true)]
    [InlineData("4", 0.75, true)]
    [InlineData("Score: 3. Partly right.", 0.5, false)]
    [InlineData("2/5 because the builder is wrong", 0.25, false)]
    [InlineData("1", 0.0, false)]
    [InlineData("In 2023 terms, 10/10 would overstate it: 4/5", 0.75, true)]
    [InlineData("2.5 is not a grade; I give 5", 1.0, true)]
    public async Task Reply_maps_to_value_and_pass_on_the_1_to_5_scale(string reply, double value, bool passed)
    {
        var (score, _) = await Judge(reply);
        Assert.Equal("judge", score.Scorer);
        Assert.Equal(value, score.Value, 12);
        Assert.Equal(passed, score.Passed);
    }

    [Theory]
    [InlineData("I cannot grade this.")]
    [InlineData("0/10")]
    [InlineData("Score: 7")]
    public async Task A_reply_without_a_1_to_5_score_fails_and_says_why(string reply)
    {
        var (score, _) = await Judge(reply);
        Assert.False(score.Passed);
        Assert.Equal(0, score.Value);
        Assert.StartsWith("judge gave no 1-5 score", score.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prompt_carries_question_reference_candidate_and_rubric()
    {
        var (_, prompt) = await Judge("5", rubric: "Names the company.");
        Assert.Contains("Rubric: Names the company.", prompt, StringComparison.Ordinal);
        Assert.Contains("Question: Who built it?", prompt, StringComparison.Ordinal);
        Assert.Contains("Reference answer: Gustave Eiffel's company", prompt, StringComparison.Ordinal);
        Assert.Contains("Candidate answer: Eiffel's firm", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void The_judge_scorer_without_a_provider_is_a_user_error_with_the_fix()
    {
        var e = Assert.Throws<Lever.Core.LeverUserException>(() => ScorerFactory.Create("judge", new ScoringOptions()));
        Assert.Contains("judge_provider", e.Hint ?? e.Message, StringComparison.Ordinal);
    }
}
