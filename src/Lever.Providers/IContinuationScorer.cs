namespace Lever.Providers;

/// <summary>
/// Log-likelihoods of given continuations after given prompts — what label scoring and multiple choice need
/// (lm-eval-harness style), and what an <c>IChatClient</c> cannot express. Local backends implement it.
/// </summary>
public interface IContinuationScorer : IDisposable
{
    /// <summary>The model that scores, as responses name it.</summary>
    string ModelId { get; }

    /// <summary>Sum of log p(continuation tokens | prompt) for each pair, in order.</summary>
    IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Continuation)> items, CancellationToken cancellationToken = default);
}
