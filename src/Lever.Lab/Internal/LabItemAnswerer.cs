using System.Diagnostics;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Running;
using Lever.Lab.Data;
using Lever.Lab.Recipes;

namespace Lever.Lab.Internal;

/// <summary>
/// A trained lab recipe as an Evals answerer: each eval item is the test example of the same id, answered by the
/// recipe's <see cref="IRecipeAnswerer"/> and timed around that call alone. A hosted row prices its own call
/// (<see cref="RecipeAnswer.BilledUsd"/>); a local row's cost is the lab's, from the measured time.
/// </summary>
internal sealed class LabItemAnswerer(IRecipeAnswerer inner, IReadOnlyDictionary<string, LabExample> examples) : IItemAnswerer
{
    public async Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default)
    {
        var example = examples[item.Id];
        var clock = Stopwatch.GetTimestamp();
        var answer = await inner.AnswerAsync(example, cancellationToken).ConfigureAwait(false);
        var ms = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
        return new RecipeAnswer(answer.Label, TokenUsage.Zero, ms, [], [], []) { BilledUsd = answer.CostUsd };
    }

    public double Cost(RecipeAnswer answer) => answer.BilledUsd ?? 0;
}
