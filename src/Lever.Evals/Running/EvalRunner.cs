using Lever.Providers;
using Lever.Evals.Data;
using Lever.Evals.Diagnosis;
using Lever.Evals.Parsing;
using Lever.Evals.Recipes;
using Lever.Evals.Scoring;

namespace Lever.Evals.Running;

/// <summary>
/// Runs a recipe over an eval set into a run folder: results.jsonl (one line per finished item), errors.jsonl,
/// summary.json, report.md and report.html. Items already in results.jsonl are skipped, and answers are cached
/// per (recipe hash, item hash), so an interrupted run resumes without losing or repeating finished work.
/// </summary>
public sealed class EvalRunner
{
    /// <summary>File names inside a run folder.</summary>
    public const string ResultsFile = "results.jsonl", ErrorsFile = "errors.jsonl", SummaryFile = "summary.json";

    private readonly Recipe _recipe;
    private readonly RecipeServices? _services;
    private readonly IItemAnswerer? _answerer;
    private readonly EvalRunOptions _options;

    /// <summary>Creates a runner for <paramref name="recipe"/> over <paramref name="services"/> (a chat recipe, or a <c>kind: knn_vote</c> one).</summary>
    public EvalRunner(Recipe recipe, RecipeServices services, EvalRunOptions? options = null)
    {
        _recipe = recipe;
        _services = services;
        _options = options ?? new EvalRunOptions();
    }

    /// <summary>
    /// Creates a runner whose answers come from <paramref name="answerer"/> (a model the caller holds, such as a lab
    /// recipe's): <paramref name="recipe"/> names it, gives the identity its results are stored under, and says how answers
    /// are parsed and scored. Failure diagnosis needs a chat recipe and is off here.
    /// </summary>
    public EvalRunner(Recipe recipe, IItemAnswerer answerer, EvalRunOptions? options = null)
    {
        _recipe = recipe;
        _answerer = answerer;
        _options = options ?? new EvalRunOptions();
    }

    /// <summary>The default run id: recipe name, recipe hash and set hash, so re-running the same pair resumes the same folder.</summary>
    public static string DefaultRunId(Recipe recipe, EvalSet set) =>
        $"{Sanitize(recipe.Name)}-{recipe.ShortHash()[..8]}-{set.Hash[..8]}";

    /// <summary>Runs (or resumes) <paramref name="set"/> into <paramref name="runDir"/> and returns the summary it wrote.</summary>
    public async Task<RunSummary> RunAsync(EvalSet set, string runDir, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(runDir);
        var recipeHash = _recipe.Hash();
        var runner = _answerer ?? (_recipe.Kind == Recipe.KnnVoteKind ? KnnVoteAnswerer.Create(_recipe, _services!) : new RecipeRunner(_recipe, _services!));
        var parser = new OutputParser(_recipe.Parser);
        var scorers = ScorerFactory.Create(_recipe, _services?.Judge);
        var chat = runner as RecipeRunner;
        var diagnose = _options.Diagnose && chat is not null;
        var probe = diagnose ? MakeProbe(chat!, parser, scorers[0], set) : null;
        var judge = diagnose && _services!.DiagnosisJudge is { } dj ? new DiagnosisJudge(dj) : null;
        var diagnoser = diagnose ? new FailureDiagnoser(_recipe, parser, _services!.Retriever, _recipe.Retrieval.Index ?? _services.CorpusIndex, probe, judge) : null;

        var resultsPath = Path.Combine(runDir, ResultsFile);
        var done = ResultStore<ItemResult>.ReadAll(resultsPath).Where(r => r.RecipeHash == recipeHash).Select(r => r.ItemHash).ToHashSet(StringComparer.Ordinal);
        var cachePath = _options.CacheDir is { } cd ? Path.Combine(cd, recipeHash + ".jsonl") : null;
        var cache = cachePath is null ? [] : ResultStore<CachedAnswer>.ReadAll(cachePath).GroupBy(c => c.ItemHash).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

        using var results = new ResultStore<ItemResult>(resultsPath, flushToDisk: _options.FlushToDisk);
        using var errors = new ResultStore<ItemError>(Path.Combine(runDir, ErrorsFile));
        using var cacheStore = cachePath is null ? null : new ResultStore<CachedAnswer>(cachePath);

        var todo = set.Items.Where(i => !done.Contains(i.Hash)).ToList();
        int completed = set.Items.Count - todo.Count, failed = 0, passed = 0, consecutive = 0;
        double cost = 0;
        var costLock = new Lock();
        progress?.Report(new RunProgress(completed, set.Items.Count, 0, 0, 0));
        using var outage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;

        try
        {
            await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency), CancellationToken = outage.Token }, async (item, ct) =>
            {
                RecipeAnswer answer;
                bool fromCache = false;
                try
                {
                    if (cache.TryGetValue(item.Hash, out var hit))
                    {
                        answer = hit.ToAnswer();
                        fromCache = true;
                    }
                    else
                    {
                        answer = await runner.AnswerAsync(item, ct).ConfigureAwait(false);
                        cacheStore?.Append(CachedAnswer.From(item.Hash, answer));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    if (ex is Core.LeverUserException) throw;
                    if (_options.StopOnFirstFailure)
                    {
                        Interlocked.CompareExchange(ref firstFailure, ex, null);
                        await outage.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                    var category = ex is ProviderCallException p ? p.Category : ex is TimeoutException or TaskCanceledException ? "timeout" : "error";
                    errors.Append(new ItemError(item.Id, item.Hash, category, ex.Message, DateTimeOffset.UtcNow.ToString("O")));
                    Interlocked.Increment(ref failed);
                    if (Interlocked.Increment(ref consecutive) >= _options.MaxConsecutiveFailures) await outage.CancelAsync().ConfigureAwait(false);
                    progress?.Report(new RunProgress(Volatile.Read(ref completed), set.Items.Count, Volatile.Read(ref failed), Volatile.Read(ref passed), Volatile.Read(ref cost)));
                    return;
                }
                Interlocked.Exchange(ref consecutive, 0);
                var result = await ScoreAsync(item, answer, recipeHash, parser, scorers, diagnoser, runner, fromCache, ct).ConfigureAwait(false);
                results.Append(result);
                Interlocked.Increment(ref completed);
                if (result.Passed) Interlocked.Increment(ref passed);
                lock (costLock) cost += result.CostUsd;
                progress?.Report(new RunProgress(Volatile.Read(ref completed), set.Items.Count, Volatile.Read(ref failed), Volatile.Read(ref passed), Volatile.Read(ref cost)));
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A provider outage (our token) or Ctrl-C (the caller's): stop spending, keep what finished, write the
            // summary of what there is; a re-run resumes. The caller's cancellation is rethrown below.
        }

        var finished = ResultStore<ItemResult>.ReadAll(resultsPath);
        if (Compact(set, recipeHash, finished) is { } compact)
        {
            results.Dispose();
            WriteAtomically(resultsPath, compact);
            finished = compact;
        }
        var summary = RunReport.Summarize(Path.GetFileName(runDir), _recipe, set, finished, ResultStore<ItemError>.ReadAll(Path.Combine(runDir, ErrorsFile)));
        RunReport.Write(runDir, summary, finished);
        cancellationToken.ThrowIfCancellationRequested();
        if (firstFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstFailure);
        return summary;
    }

    /// <summary>
    /// When every item of <paramref name="set"/> has a result under <paramref name="recipeHash"/>: one line per item in set
    /// order (a resumed or concurrent run appends out of order; lines of other recipes and items are stale). Null when the
    /// run is incomplete (kept as it is, to resume) or the file is already in that form.
    /// </summary>
    private static List<ItemResult>? Compact(EvalSet set, string recipeHash, List<ItemResult> lines)
    {
        var latest = new Dictionary<string, ItemResult>(StringComparer.Ordinal);
        foreach (var r in lines)
            if (r.RecipeHash == recipeHash) latest[r.ItemHash] = r;
        if (set.Items.Any(i => !latest.ContainsKey(i.Hash))) return null;
        var ordered = set.Items.Select(i => latest[i.Hash]).ToList();
        return ordered.Count == lines.Count && ordered.Zip(lines).All(p => ReferenceEquals(p.First, p.Second)) ? null : ordered;
    }

    private static void WriteAtomically(string path, IReadOnlyList<ItemResult> lines)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
        {
            foreach (var line in lines) writer.Write(System.Text.Json.JsonSerializer.Serialize(line, EvalJson.Options) + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private async Task<ItemResult> ScoreAsync(EvalItem item, RecipeAnswer answer, string recipeHash, OutputParser parser, IReadOnlyList<IScorer> scorers,
        FailureDiagnoser? diagnoser, IItemAnswerer runner, bool fromCache, CancellationToken ct)
    {
        var parsed = parser.Parse(answer.Raw);
        var input = new ScoringInput(item, parsed, answer.Passages);
        var scores = new List<Score>();
        foreach (var scorer in scorers) scores.Add(await scorer.ScoreAsync(input, ct).ConfigureAwait(false));
        bool pass = scores[0].Passed;
        FailureDiagnosis? diagnosis = null;
        if (!pass && item.Expected is not null && diagnoser is not null)
            diagnosis = await diagnoser.DiagnoseAsync(item, answer, parsed, ct).ConfigureAwait(false);
        return new ItemResult
        {
            Id = item.Id,
            Line = item.Line,
            ItemHash = item.Hash,
            RecipeHash = recipeHash,
            Expected = item.ExpectedText,
            Prediction = parsed.Prediction,
            Raw = answer.Raw,
            ParseError = parsed.Error,
            Passed = pass,
            Scores = scores.ToDictionary(s => s.Scorer, s => s.Value),
            ScorePassed = scores.ToDictionary(s => s.Scorer, s => s.Passed),
            ScoreDetails = scores.Where(s => s.Detail is not null).ToDictionary(s => s.Scorer, s => s.Detail!),
            JsonFields = scores.FirstOrDefault(s => s.Fields is not null)?.Fields,
            LatencyMs = answer.LatencyMs,
            Usage = answer.Usage,
            CostUsd = runner.Cost(answer),
            BilledUsd = answer.BilledUsd,
            Ranked = answer.Ranked?.ToList(),
            Cited = answer.Cited,
            Passages = answer.Passages.Select(p => p.Id).ToList(),
            Examples = answer.Examples.Select(e => e.Id).ToList(),
            Tags = [.. item.Tags],
            Cached = fromCache,
            Diagnosis = diagnosis,
        };
    }

    private Func<EvalItem, CancellationToken, Task<bool>>? MakeProbe(RecipeRunner runner, OutputParser parser, IScorer primary, EvalSet set)
    {
        // The probe's pool: the recipe's own few-shot pool, else the eval set itself (leave-one-out by construction).
        var pool = _recipe.FewShot.Pool is { } p ? EvalSet.Load(p).Items : set.Items;
        var selector = new FewShotSelector(pool);
        if (pool.Count(i => i.ExpectedText is not null) < 2) return null;
        int k = Math.Max(_options.ProbeK, _recipe.FewShot.Mode == "none" ? 0 : _recipe.FewShot.K + 1);
        return async (item, ct) =>
        {
            var examples = await selector.SelectAsync(item, "nearest", k, "lexical", ct).ConfigureAwait(false);
            if (examples.Count == 0) return false;
            try
            {
                var answer = await runner.AnswerWithAsync(item, examples, ct).ConfigureAwait(false);
                var score = await primary.ScoreAsync(new ScoringInput(item, parser.Parse(answer.Raw), answer.Passages), ct).ConfigureAwait(false);
                return score.Passed;
            }
            catch (ProviderCallException)
            {
                return false; // a failed probe is no evidence either way
            }
        };
    }

    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        var s = new string(chars).Trim('-', '.');
        return s.Length == 0 ? "recipe" : s;
    }
}
