using Lever.Evals.Data;

namespace Lever.Evals.Running;

/// <summary>
/// How a recipe answers one item: a chat model behind a prompt (<see cref="RecipeRunner"/>), a vote of the nearest
/// labelled examples (<see cref="KnnVoteAnswerer"/>), or a model the caller trained and holds (the lab's recipes).
/// <see cref="EvalRunner"/> runs any of them the same way: resumable, cached, scored and priced in one place.
/// </summary>
public interface IItemAnswerer
{
    /// <summary>Answers <paramref name="item"/>, timing the call.</summary>
    Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default);

    /// <summary>What <paramref name="answer"/> cost in USD (tokens at the model's prices, compute time, retrieval).</summary>
    double Cost(RecipeAnswer answer);
}
