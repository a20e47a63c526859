using Lever.Evals.Running;
using Lever.Lab.Pipeline;

namespace Lever.Lab.Internal;

/// <summary>
/// One lab evaluation stage's answers so far — the spam lab's and the QA lab's resume loop, once: the answers go to
/// <c>predictions.partial.jsonl</c> through Evals' <see cref="ResultStore{T}"/> (a line per answer, flushed, a torn last
/// line ignored), tagged with the stage's inputs in <c>predictions.partial.jsonl.inputs</c>. An interrupted run of the
/// same stage (same tag) keeps its answers and resumes at the first unanswered item; any other partial file is stale.
/// </summary>
internal sealed class ResumableAnswers<T> : IDisposable where T : class
{
    private readonly string _partial;
    private readonly Func<T, string> _id;
    private readonly List<T> _done;
    private readonly ResultStore<T> _store;

    private ResumableAnswers(string partial, Func<T, string> id, List<T> done)
    {
        _partial = partial;
        _id = id;
        _done = done;
        // No fsync per answer (a local recipe answers in microseconds): a flushed line survives kill -9, which is the case resumption is for.
        _store = new ResultStore<T>(partial, JsonLines.Options, flushToDisk: false);
    }

    /// <summary>Opens the partial answers in <paramref name="dir"/>, keeping them only when they were given under <paramref name="tag"/>.</summary>
    public static ResumableAnswers<T> Open(string dir, string tag, Func<T, string> id)
    {
        var partial = Path.Combine(dir, "predictions.partial.jsonl");
        var inputs = partial + ".inputs";
        var done = File.Exists(partial) && File.Exists(inputs) && File.ReadAllText(inputs) == tag ? ResultStore<T>.ReadAll(partial, JsonLines.Options) : [];
        // Rewritten whole: a stale file goes, and so does a torn last line.
        JsonLines.Write(partial, done);
        File.WriteAllText(inputs, tag);
        return new ResumableAnswers<T>(partial, id, done);
    }

    /// <summary>Ids among <paramref name="wanted"/> that already have an answer.</summary>
    public HashSet<string> Answered(IEnumerable<string> wanted)
    {
        var want = wanted.ToHashSet(StringComparer.Ordinal);
        return _done.Select(_id).Where(want.Contains).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Answers every item of <paramref name="items"/> not answered yet — in order, or with up to <paramref name="maxConcurrency"/>
    /// in flight — appending each answer as it comes and reporting progress on <paramref name="run"/>.
    /// </summary>
    public async Task AnswerAsync<TItem>(IReadOnlyList<TItem> items, Func<TItem, string> idOf, Func<TItem, CancellationToken, Task<T>> answer,
        int maxConcurrency, StageRun run, CancellationToken ct)
    {
        var answered = Answered(items.Select(idOf));
        var count = answered.Count;
        async Task OneAsync(TItem item, CancellationToken token)
        {
            var line = await answer(item, token).ConfigureAwait(false);
            lock (_done)
            {
                _store.Append(line);
                _done.Add(line);
                run.Progress(++count);
            }
        }
        var pending = items.Where(i => !answered.Contains(idOf(i)));
        if (maxConcurrency > 1)
        {
            // A hosted model: keep max_concurrency requests in flight; each answer's latency is still its own call's.
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = ct },
                async (item, token) => await OneAsync(item, token).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }
        foreach (var item in pending)
        {
            ct.ThrowIfCancellationRequested();
            await OneAsync(item, ct).ConfigureAwait(false);
        }
    }

    /// <summary>One answer per id of <paramref name="order"/> (those answered), in that order; written to <c>predictions.jsonl</c> beside the partial file.</summary>
    public List<T> Finish(IReadOnlyList<string> order)
    {
        var rank = order.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var final = _done.Where(p => rank.ContainsKey(_id(p))).DistinctBy(_id).OrderBy(p => rank[_id(p)]).ToList();
        JsonLines.Write(Path.Combine(Path.GetDirectoryName(_partial)!, "predictions.jsonl"), final);
        return final;
    }

    /// <summary>Removes the partial file and its tag (the stage finished and keeps no answers for later).</summary>
    public void Delete()
    {
        _store.Dispose();
        File.Delete(_partial);
        File.Delete(_partial + ".inputs");
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
