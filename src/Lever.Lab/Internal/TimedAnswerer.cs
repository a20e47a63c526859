using System.Diagnostics;
using Lever.Evals.Data;
using Lever.Evals.Running;

namespace Lever.Lab.Internal;

/// <summary>
/// A lab recipe as an Evals answerer: each eval item is the lab's own example of the same id (a test email, a
/// question), answered by <paramref name="answer"/> and timed around that call alone (retrieval and reading included).
/// A hosted row prices its own call (<see cref="RecipeAnswer.BilledUsd"/>); a local row's cost is the lab's, from the time.
/// </summary>
internal sealed class TimedAnswerer<T>(IReadOnlyDictionary<string, T> examples, Func<T, CancellationToken, Task<RecipeAnswer>> answer) : IItemAnswerer
{
    public async Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default)
    {
        var example = examples[item.Id];
        var clock = Stopwatch.GetTimestamp();
        var given = await answer(example, cancellationToken).ConfigureAwait(false);
        return given with { LatencyMs = Stopwatch.GetElapsedTime(clock).TotalMilliseconds };
    }

    public double Cost(RecipeAnswer answer) => answer.BilledUsd ?? 0;
}
