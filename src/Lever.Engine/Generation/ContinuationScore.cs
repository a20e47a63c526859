namespace Lever.Engine.Generation;

/// <summary>How likely the model finds a continuation after a prompt (the log-likelihood scoring of lm-eval-harness).</summary>
/// <param name="LogProbability">Sum of the natural-log probabilities of the continuation's tokens.</param>
/// <param name="Tokens">Number of continuation tokens.</param>
/// <param name="IsGreedy">True when every continuation token is the model's most likely next token.</param>
public sealed record ContinuationScore(double LogProbability, int Tokens, bool IsGreedy)
{
    /// <summary>Mean log-probability per token (0 for an empty continuation).</summary>
    public double MeanLogProbability => Tokens == 0 ? 0 : LogProbability / Tokens;
}
