using System.Diagnostics;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Retrieval;
using Lever.Evals.Running;

using Lever.Lab.Qa;

namespace Lever.Lab.Internal;

/// <summary>
/// A QA recipe as an Evals answerer: each item is the question of the same id, answered by <see cref="QaAnswerer"/>
/// and timed around the whole answer (retrieval and reading or generation). The pages of the passages it read are
/// the answer's passages, the ten pages retrieval ranked its <see cref="RecipeAnswer.Ranked"/>, the page it cites its
/// <see cref="RecipeAnswer.Cited"/>; a hosted answer prices its own call.
/// </summary>
internal sealed class QaItemAnswerer(QaAnswerer answerer, IReadOnlyDictionary<string, QaQuestion> questions) : IItemAnswerer
{
    public async Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.GetTimestamp();
        var (answer, cited, ranked, passages, cost) = await answerer.AnswerAsync(questions[item.Id].Input, cancellationToken).ConfigureAwait(false);
        var ms = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
        return new RecipeAnswer(answer, TokenUsage.Zero, ms, passages.Select(page => new RetrievedPassage(page, "", 0, page)).ToList(), [], [])
        {
            BilledUsd = cost,
            Ranked = ranked,
            Cited = cited,
        };
    }

    public double Cost(RecipeAnswer answer) => answer.BilledUsd ?? 0;
}
