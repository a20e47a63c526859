using Lever.Evals.Scoring;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Evals.Cost;
using Lever.Evals.Retrieval;
using Lever.Core.Data;
using Lever.Core.Levers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Evals.Metrics;
using Lever.Lab.Internal;
using Lever.Lab.Pipeline;
using Lever.Lab.Reporting;
using Lever.Retrieval;

namespace Lever.Lab.Qa;

/// <summary>
/// <c>lever lab</c> for a question-answering task (<c>lab.task: qa</c>, as samples/pgdocs): 1) the documents (installed
/// once when missing), 2) the lab's own index over them (BM25; a second one with vectors when an embedding provider is
/// configured), 3) per recipe an evaluation stage that answers every question, 4) the freshness step (edit a copy of the
/// documents, ask, sync, ask again), 5) the report. Stages are hashed and reused as in the classification lab; an
/// interrupted evaluation resumes at the first unanswered question and an interrupted index build finishes by content hash.
/// </summary>
public sealed class QaLabRunner
{
    // Bump when the reader, answering or scoring changes, so cached answers are recomputed.
    private const string EvalVersion = "qa-eval-v2";
    private const string IndexVersion = "qa-index-v1";
    private const string FreshnessVersion = "qa-fresh-v1";
    private const string ReportVersion = "qa-report-v2";

    private readonly Workspace _workspace;
    private readonly QaLabSettings _settings;
    private readonly QaProviders _providers;
    private readonly ILabObserver _observer;
    private readonly ILabPages _pages;

    /// <summary>Prepares a run in <paramref name="workspace"/> with the models in <paramref name="providers"/>; <paramref name="pages"/> renders report.html.</summary>
    public QaLabRunner(Workspace workspace, QaLabSettings settings, QaProviders providers, ILabObserver observer, ILabPages pages)
    {
        _pages = pages;
        _workspace = workspace;
        _settings = settings;
        _providers = providers;
        _observer = observer;
    }

    /// <summary><c>.lever/lab</c> in the workspace.</summary>
    public string LabDir => Path.Combine(_workspace.StateDir, "lab");

    /// <summary>Recipes that run with <paramref name="providers"/> and those skipped, with the reason.</summary>
    public static (List<QaRecipe> Run, List<(string Recipe, string Reason)> Skipped) Plan(QaProviders providers, IReadOnlyList<string>? only, bool trainModel)
    {
        if (only is not null && only.FirstOrDefault(n => QaRecipe.All.All(r => r.Name != n)) is { } unknown)
            throw new LeverUserException($"lab.recipes: unknown recipe {unknown}", $"QA recipes in this build: {string.Join(", ", QaRecipe.All.Select(r => r.Name))}");
        var run = new List<QaRecipe>();
        var skipped = new List<(string, string)>();
        foreach (var recipe in QaRecipe.All.Where(r => only is null || only.Contains(r.Name)))
        {
            if (recipe.Unavailable(providers, trainModel) is { } why) skipped.Add((recipe.Name, why));
            else run.Add(recipe);
        }
        return (run, skipped);
    }

    /// <summary>Runs (or reuses) every stage and returns the measured results.</summary>
    public async Task<QaLabReport> RunAsync(CancellationToken ct)
    {
        var pipeline = new LabPipeline(LabDir, _observer);
        var questions = QaQuestion.Load(_settings.QuestionsPath);
        var edits = _settings.FreshnessPath is { } f ? FreshnessEdit.Load(f, questions) : [];
        var (recipes, skipped) = Plan(_providers, _settings.Lab.Options.Recipes, _settings.Options.TrainModel);
        foreach (var (name, why) in skipped) _observer.Info($"{name}: skipped: {why}");

        var corpus = await QaCorpus.EnsureAsync(_settings.CorpusPath, _settings.Options.AptPackage, $"{_workspace.ConfigPath}: indexes.{_settings.Options.Index}.path", _observer, ct).ConfigureAwait(false);
        var inventory = QaCorpus.Inventory(corpus);
        var questionsHash = Hashing.File(_settings.QuestionsPath);

        var indexes = new Dictionary<QaRetrieval, (StageRecord Record, string Dir)>();
        foreach (var kind in recipes.Select(r => r.Retrieval).Where(r => r != QaRetrieval.None).Distinct().Order())
            indexes[kind] = await BuildIndexAsync(pipeline, kind, corpus, inventory, ct).ConfigureAwait(false);

        DocsLanguageModel.Result? docsModel = null;
        if (recipes.Any(r => r.DocsModel) && _settings.Lab.Options.Llm is { Preset: LabLanguageModelOptions.AutoPreset } llm)
        {
            // Sized as the classification lab's model is: a page read as (at least) one 1,500-character piece of ≈375 tokens.
            var pages = Directory.EnumerateFiles(corpus, "*", SearchOption.AllDirectories).Count();
            llm.Resolve(Recipes.Local.LocalModelSizing.Size(Math.Max(1, pages), 375, _settings.Lab.Options.BudgetMinutes * 60, llm.Vocab));
        }
        if (recipes.Any(r => r.DocsModel))
            docsModel = await DocsLanguageModel.EnsureAsync(pipeline, corpus, inventory, _settings.Lab.Options.Llm, ct).ConfigureAwait(false);

        var results = new List<QaRecipeResult>();
        var reportInputs = new List<string> { ReportVersion, questionsHash };
        foreach (var recipe in recipes)
        {
            var index = indexes.TryGetValue(recipe.Retrieval, out var built) ? built : default;
            var model = recipe.DocsModel ? docsModel : null;
            var record = await EvaluateRecipeAsync(pipeline, recipe, questions, questionsHash, index.Record, index.Dir, model, ct).ConfigureAwait(false);
            var predictions = Predictions(recipe, questions);
            var trainSeconds = (index.Record?.Values.GetValueOrDefault("train_seconds") ?? 0) + (model?.Seconds ?? 0);
            results.Add(Score(recipe, questions, predictions, trainSeconds));
            reportInputs.Add(record.Outputs.Values.Single());
            reportInputs.Add(trainSeconds.ToString("R", CultureInfo.InvariantCulture));
        }

        IReadOnlyList<FreshnessRow> freshness = [];
        if (edits.Count > 0)
        {
            var fresh = await FreshnessAsync(pipeline, corpus, inventory, questions, questionsHash, edits, ct).ConfigureAwait(false);
            freshness = JsonSerializer.Deserialize<List<FreshnessRow>>(File.ReadAllText(Path.Combine(LabDir, "freshness", "freshness.json")), JsonLines.Options)!;
            reportInputs.Add(fresh.Outputs.Values.Single());
        }

        var recommendation = QaAdvice.Recommend(_workspace, results, _settings.Lab);
        var c = _settings.Lab.Options.Compute;
        reportInputs.AddRange([_settings.Lab.RequestsPerMonth.ToString("R", CultureInfo.InvariantCulture), c.CpuHourUsd.ToString("R", CultureInfo.InvariantCulture),
            c.AmortizeMonths.ToString(CultureInfo.InvariantCulture), docsModel?.Inputs ?? "", string.Join(';', skipped.Select(s => s.Recipe + ":" + s.Reason)), recommendation.ToJson().ToJsonString()]);
        await pipeline.RunAsync("report", "write the report", Hashing.Of([.. reportInputs]), ["summary.json", "report.html", "results.json"], (run, _) =>
        {
            run.Start(1);
            QaReportWriter.Write(LabDir, Path.GetFileName(_workspace.Root.TrimEnd('/')), results, skipped, freshness,
                docsModel is null ? null : new DocsModelLoss(docsModel.Steps, docsModel.BaseLoss, docsModel.Loss), recommendation, _settings, questions, _pages);
            run.Detail = ".lever/lab/report.html";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);

        return new QaLabReport(results, skipped, freshness, docsModel is null ? null : new DocsModelLoss(docsModel.Steps, docsModel.BaseLoss, docsModel.Loss), recommendation, Path.Combine(LabDir, "summary.json"), Path.Combine(LabDir, "report.html"), pipeline.Ran, pipeline.Reused);
    }

    private IndexOptions Chunking => new()
    {
        Include = _settings.Index.Include, Exclude = _settings.Index.Exclude, ChunkTokens = _settings.Index.ChunkTokens,
        ChunkOverlap = _settings.Index.ChunkOverlap, TextField = _settings.Index.TextField, Rules = _settings.Index.Rules,
    };

    private string ChunkingKey => string.Join('|', _settings.Index.ChunkTokens, _settings.Index.ChunkOverlap, string.Join(',', _settings.Index.Include ?? []),
        string.Join(',', _settings.Index.Exclude ?? []), _settings.Index.TextField);

    private async Task<(StageRecord Record, string Dir)> BuildIndexAsync(LabPipeline pipeline, QaRetrieval kind, string corpus, string inventory, CancellationToken ct)
    {
        var name = kind == QaRetrieval.Hybrid ? "hybrid" : "bm25";
        var embedder = kind == QaRetrieval.Hybrid ? _providers.Embedder : null;
        var inputs = Hashing.Of(IndexVersion, corpus, inventory, ChunkingKey, embedder is null ? "" : _providers.EmbeddingId ?? "");
        // The folder is named by the inputs: an interrupted build of the same inputs is finished in place, other inputs get a fresh index.
        var dir = Path.Combine(LabDir, "indexes", $"{name}-{inputs[..12]}");
        var stage = $"index:{name}";
        if (!File.Exists(Path.Combine(dir, RetrievalIndex.StoreFileName))) pipeline.Manifest.Stages.Remove(stage);
        var record = await pipeline.RunAsync(stage, $"index the documents ({name})", inputs, [$"indexes/{name}.json"], async (run, token) =>
        {
            foreach (var old in Directory.Exists(Path.GetDirectoryName(dir)) ? Directory.GetDirectories(Path.GetDirectoryName(dir)!, name + "-*") : [])
                if (!string.Equals(old, dir, StringComparison.Ordinal)) Directory.Delete(old, recursive: true);
            var clock = Stopwatch.StartNew();
            using var index = RetrievalIndex.Open(dir);
            var ingest = await index.AddAsync(corpus, Chunking, embedder, new SynchronousProgress<IngestProgress>(p => { run.Start(p.FilesTotal); run.Progress(p.FilesDone); }), token).ConfigureAwait(false);
            var stats = index.Stats();
            var seconds = clock.Elapsed.TotalSeconds;
            run.SetValue("train_seconds", seconds);
            run.SetValue("documents", stats.Documents);
            run.SetValue("chunks", stats.Chunks);
            File.WriteAllText(Path.Combine(LabDir, "indexes", $"{name}.json"), JsonSerializer.Serialize(new
            {
                folder = Path.GetFileName(dir), documents = stats.Documents, chunks = stats.Chunks, vectors = stats.Vectors, terms = stats.Terms,
                skipped = ingest.Issues.Count, seconds,
            }, JsonLines.Options));
            run.Detail = $"{stats.Documents:N0} pages, {stats.Chunks:N0} chunks{(stats.Vectors > 0 ? $", {stats.Vectors:N0} vectors" : "")} in {seconds:0.0} s";
        }, ct).ConfigureAwait(false);
        return (record, dir);
    }

    private async Task<StageRecord> EvaluateRecipeAsync(LabPipeline pipeline, QaRecipe recipe, IReadOnlyList<QaQuestion> questions, string questionsHash,
        StageRecord? index, string? indexDir, DocsLanguageModel.Result? model, CancellationToken ct)
    {
        var dir = Directory.CreateDirectory(Path.Combine(LabDir, "recipes", recipe.Name)).FullName;
        var inputs = Hashing.Of(EvalVersion, ExtractiveReader.Version, questionsHash, recipe.Fingerprint, _settings.Options.K.ToString(CultureInfo.InvariantCulture),
            recipe.Hosted ? _providers.ChatId ?? "" : "", recipe.Retrieval == QaRetrieval.Hybrid ? _providers.EmbeddingId ?? "" : "",
            index?.Inputs ?? "", string.Join(',', index?.Outputs.Values.AsEnumerable() ?? []), model?.Inputs ?? "");
        return await pipeline.RunAsync($"eval:{recipe.Name}", $"answer {questions.Count} questions: {recipe.Name}", inputs, [$"recipes/{recipe.Name}/{EvalFolder}/{EvalRunner.ResultsFile}"], async (run, token) =>
        {
            // Through Evals' runner: one result line per answer as it comes, stored under a recipe whose identity is this
            // stage's inputs, so an interrupted run of the same stage resumes and answers given under other inputs are never reused.
            var evalDir = Path.Combine(dir, EvalFolder);
            var evalRecipe = EvalRecipe(recipe, inputs);
            var set = QuestionSet(Path.Combine(evalDir, "questions.jsonl"), questions);
            var wanted = set.Items.Select(i => i.Hash).ToHashSet(StringComparer.Ordinal);
            var hash = evalRecipe.Hash();
            var answered = ResultStore<ItemResult>.ReadAll(Path.Combine(evalDir, EvalRunner.ResultsFile))
                .Where(r => r.RecipeHash == hash && wanted.Contains(r.ItemHash)).Select(r => r.ItemHash).Distinct().Count();
            run.Start(questions.Count);
            if (answered > 0 && answered < questions.Count) run.Info($"{recipe.Name}: resuming at question {answered + 1} of {questions.Count}");

            using var opened = indexDir is null ? null : RetrievalIndex.Open(indexDir);
            using var generator = model is null ? null : Engine.Generation.TextGenerator.Load(model.Directory);
            var answerer = new QaAnswerer(recipe, opened, _providers, _settings.Options.K, generator);
            // One untimed local answer first, so JIT and loading the index are not billed to the first question (a hosted warm-up would be billed).
            if (!recipe.Hosted) await answerer.AnswerAsync(questions[0].Input, token).ConfigureAwait(false);
            var options = new EvalRunOptions { Concurrency = 1, Diagnose = false, StopOnFirstFailure = true, FlushToDisk = recipe.Hosted };
            // The pages of the passages read are the answer's passages, the ten pages retrieval ranked its ranking.
            var timed = new TimedAnswerer<QaQuestion>(questions.ToDictionary(q => q.Id, StringComparer.Ordinal), async (q, t) =>
            {
                var (answer, cited, ranked, passages, cost) = await answerer.AnswerAsync(q.Input, t).ConfigureAwait(false);
                return new RecipeAnswer(answer, TokenUsage.Zero, 0, passages.Select(page => new RetrievedPassage(page, "", 0, page)).ToList(), [], [])
                {
                    BilledUsd = cost, Ranked = ranked, Cited = cited,
                };
            });
            var runner = new EvalRunner(evalRecipe, timed, options);
            var summary = await runner.RunAsync(set, evalDir, new SynchronousProgress<RunProgress>(p => run.Progress(p.Done)), token).ConfigureAwait(false);
            run.Detail = $"{summary.Passed}/{summary.Completed} correct";
        }, ct).ConfigureAwait(false);
    }

    /// <summary>A recipe's eval run folder (Evals' results.jsonl, summary.json and reports), under its recipe folder.</summary>
    private const string EvalFolder = "eval";

    /// <summary>The Evals recipe a QA row is stored and scored under: the stage's inputs as its version, Evals' answer scorer (this lab's match rule).</summary>
    private static Recipe EvalRecipe(QaRecipe recipe, string inputs) => new()
    {
        Name = recipe.Name,
        Version = inputs,
        Description = recipe.Description,
        Lever = LeverKinds.Name(recipe.Lever),
        Provider = recipe.Hosted ? "provider" : "lab",
        Scoring = new ScoringOptions { Scorers = ["answer"] },
    };

    /// <summary>The questions as an eval set: the answering page is each item's relevant document, so Evals' summary has the retrieval metrics too.</summary>
    private static EvalSet QuestionSet(string path, IReadOnlyList<QaQuestion> questions) =>
        EvalSet.Of(path, questions.Select((q, i) => EvalSet.Parse(new JsonlLine(path, i + 1, JsonSerializer.SerializeToElement(
            new { id = q.Id, input = q.Input, expected = q.Expected, metadata = new { relevant = new[] { q.Page } } }), null))).ToList());

    /// <summary>A recipe's answers, read back from its eval run, as the report's per-question rows.</summary>
    private IReadOnlyList<QaPrediction> Predictions(QaRecipe recipe, IReadOnlyList<QaQuestion> questions)
    {
        var expected = questions.ToDictionary(q => q.Id, q => q.Expected, StringComparer.Ordinal);
        return ResultStore<ItemResult>.ReadAll(Path.Combine(LabDir, "recipes", recipe.Name, EvalFolder, EvalRunner.ResultsFile))
            .Where(r => expected.ContainsKey(r.Id))
            .Select(r => new QaPrediction(r.Id, expected[r.Id], r.Raw, r.Passed, r.Cited, r.Ranked ?? [], r.Passages, r.LatencyMs, r.BilledUsd))
            .ToList();
    }

    private async Task<StageRecord> FreshnessAsync(LabPipeline pipeline, string corpus, string inventory, IReadOnlyList<QaQuestion> questions, string questionsHash,
        IReadOnlyList<FreshnessEdit> edits, CancellationToken ct)
    {
        // The local reader always; the hosted RAG recipe too when a chat model is configured.
        var recipes = QaRecipe.All.Where(r => r.Retrieval == QaRetrieval.Bm25 && r.Unavailable(_providers, false) is null).ToList();
        var inputs = Hashing.Of(FreshnessVersion, EvalVersion, ExtractiveReader.Version, inventory, ChunkingKey, Hashing.File(_settings.FreshnessPath!), questionsHash,
            _settings.Options.K.ToString(CultureInfo.InvariantCulture), string.Join(',', recipes.Select(r => r.Name)), recipes.Any(r => r.Hosted) ? _providers.ChatId ?? "" : "");
        return await pipeline.RunAsync("freshness", $"freshness: {edits.Count} edits, sync, ask again", inputs, ["freshness/freshness.json"], async (run, token) =>
        {
            run.Start(4);
            var root = Path.Combine(LabDir, "freshness");
            var docs = Path.Combine(root, "docs");
            var indexDir = Path.Combine(root, "index");
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            // 1) a copy of the documents the edits can change without touching the originals, indexed as they are.
            CopyTree(corpus, docs);
            var options = Chunking;
            using var index = RetrievalIndex.Open(indexDir);
            await index.AddAsync(docs, options, cancellationToken: token).ConfigureAwait(false);
            run.Progress(1);
            var byId = questions.ToDictionary(q => q.Id, StringComparer.Ordinal);
            async Task<List<string>> AskAll(QaRecipe recipe)
            {
                var answerer = new QaAnswerer(recipe, index, _providers, _settings.Options.K);
                var answers = new List<string>();
                foreach (var e in edits) answers.Add((await answerer.AnswerAsync(byId[e.Question].Input, token).ConfigureAwait(false)).Answer);
                return answers;
            }
            var before = new Dictionary<string, List<string>>();
            foreach (var r in recipes) before[r.Name] = await AskAll(r).ConfigureAwait(false);

            // 2) the edits, applied to the copy's files: the index has not seen them yet.
            foreach (var e in edits)
            {
                var file = Path.Combine(docs, e.Page);
                if (!File.Exists(file)) throw new LeverUserException($"{e.Where}: field 'page': {e.Page} is not in {corpus}", "name a document by its path relative to the corpus folder");
                var text = File.ReadAllText(file);
                if (!text.Contains(e.Find, StringComparison.Ordinal))
                    throw new LeverUserException($"{e.Where}: field 'find': the text is not in {e.Page}", "copy the exact raw text (HTML included) from the page");
                File.WriteAllText(file, text.Replace(e.Find, e.Replace, StringComparison.Ordinal));
            }
            var unsynced = new Dictionary<string, List<string>>();
            foreach (var r in recipes) unsynced[r.Name] = await AskAll(r).ConfigureAwait(false);
            run.Progress(2);

            // 3) index sync: changed pages are re-indexed by content hash; then the same questions again.
            var sync = await index.SyncAsync(options, cancellationToken: token).ConfigureAwait(false);
            run.Progress(3);
            var after = new Dictionary<string, List<string>>();
            foreach (var r in recipes) after[r.Name] = await AskAll(r).ConfigureAwait(false);

            var rows = new List<FreshnessRow>();
            foreach (var r in recipes)
            {
                for (int i = 0; i < edits.Count; i++)
                {
                    var e = edits[i];
                    var old = byId[e.Question].Expected;
                    rows.Add(new FreshnessRow(e.Question, e.Page, r.Name, old, e.ExpectedAfter, before[r.Name][i], unsynced[r.Name][i], after[r.Name][i],
                        AnswerMatcher.Contains(before[r.Name][i], old), AnswerMatcher.Contains(unsynced[r.Name][i], old), AnswerMatcher.Contains(after[r.Name][i], e.ExpectedAfter)));
                }
            }
            File.WriteAllText(Path.Combine(root, "freshness.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions(JsonLines.Options) { WriteIndented = true }));
            run.Progress(4);
            run.Detail = $"sync re-indexed {sync.Updated} page(s); {rows.Count(x => x.AfterOk)}/{rows.Count} answers changed to the edited fact";
        }, ct).ConfigureAwait(false);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private QaRecipeResult Score(QaRecipe recipe, IReadOnlyList<QaQuestion> questions, IReadOnlyList<QaPrediction> predictions, double trainSeconds)
    {
        var byId = predictions.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var missing = questions.Where(q => !byId.ContainsKey(q.Id)).Select(q => q.Id).Take(3).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"{recipe.Name}: no answer for {string.Join(", ", missing)}");
        var rows = questions.Select(q => (Q: q, P: byId[q.Id])).ToList();
        var retrieves = recipe.Retrieval != QaRetrieval.None;
        var scores = retrieves ? QaRetrievalScores.Of(rows.Select(r => (r.P.Ranked, r.Q.Page)).ToList()) : null;
        double? citation = retrieves ? rows.Count(r => r.P.Cited == r.Q.Page) / (double)rows.Count : null;
        // A wrong answer without the gold page among the passages lacked the facts (knowledge); with it, the answerer missed them (capability).
        var wrong = rows.Where(r => !r.P.Correct).ToList();
        int capability = wrong.Count(r => r.P.Passages.Contains(r.Q.Page));
        var latencies = rows.Select(r => r.P.LatencyMs).ToList();
        double? billed = rows.Any(r => r.P.CostUsd is not null) ? rows.Average(r => r.P.CostUsd ?? 0) : null;
        // A hosted answer waits on the network, not on this machine's cores: its answer cost is what the provider billed.
        var cost = LabCost.Compute(latencies.Average(), recipe.Hosted ? 0 : 1, billed, trainSeconds, 1, _settings.Lab.Options.Compute, _settings.Lab.RequestsPerMonth);
        int? grounded = retrieves ? rows.Count(r => r.P.Correct && r.P.Cited == r.Q.Page) : null;
        return new QaRecipeResult(recipe, rows.Count, rows.Count(r => r.P.Correct), citation, grounded, scores,
            Percentile.Of(latencies, 50), Percentile.Of(latencies, 95), latencies.Average(), trainSeconds, cost,
            wrong.Count - capability, capability, rows.Select(r => r.P).ToList())
        {
            ModelId = recipe.Hosted ? _providers.ChatId : recipe.DocsModel ? $"lab/{_settings.Lab.Options.Llm.Preset}" : null,
            Route = recipe.Hosted ? "api" : "self-hosted",
            EmbeddingId = recipe.Retrieval == QaRetrieval.Hybrid ? _providers.EmbeddingId : null,
        };
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
