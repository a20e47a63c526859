using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Pipeline;
using Lever.Lab.Recipes;
using Lever.Lab.Recipes.Local;
using Lever.Lab.Recipes.Retrieval;
using Lever.Lab.Reporting;

namespace Lever.Lab;

/// <summary>
/// <c>lever lab</c>'s pipeline: 1) the corpus (fetched once), 2) parsed and split data, 3) per recipe a training stage
/// and an evaluation stage on the test split, 4) the report. Each stage is hashed on its inputs and reused when they did
/// not change; an interrupted run resumes at the first unfinished stage (and evaluation at the first unanswered item).
/// </summary>
public sealed class LabRunner
{
    // Bump when parsing or splitting changes, so cached data is rebuilt.
    private const string DataVersion = "data-v2";
    private const string EvalVersion = "eval-v1";
    private const string ReportVersion = "report-v5";

    private readonly Workspace _workspace;
    private readonly LabConfiguration _config;
    private readonly IReadOnlyList<LabRecipe> _recipes;
    private readonly ILabObserver _observer;
    private LabDataset? _data;

    /// <summary>Prepares a run of <paramref name="recipes"/> in <paramref name="workspace"/>.</summary>
    public LabRunner(Workspace workspace, LabConfiguration config, IReadOnlyList<LabRecipe> recipes, ILabObserver observer)
    {
        _workspace = workspace;
        _config = config;
        _recipes = recipes;
        _observer = observer;
        var dup = recipes.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"two recipes are named {dup.Key}");
    }

    /// <summary><c>.lever/lab</c> in the workspace.</summary>
    public string LabDir => Path.Combine(_workspace.StateDir, "lab");

    /// <summary>The recipes this build can run, filtered by <c>lab.recipes</c> when set.</summary>
    public static IReadOnlyList<LabRecipe> Recipes(LabOptions options)
    {
        var llm = options.Llm;
        LabRecipe[] all = [new ClassicalBaselineRecipe(), new ZeroShotRecipe(llm), new FewShotRecipe(llm), new ZeroShotRecipe(llm, calibrated: true), new FewShotRecipe(llm, calibrated: true),
            new RetrievalVoteRecipe(llm), new RetrievalFewShotRecipe(llm), new FineTuneRecipe(llm, lora: true), new FineTuneRecipe(llm, lora: false), new DistilledStudentRecipe(llm),
            new ContinuedPretrainingRecipe(llm)];
        if (options.Recipes is null) return all;
        var unknown = options.Recipes.Where(n => all.All(r => r.Name != n)).ToList();
        if (unknown.Count > 0)
            throw new LeverUserException($"lab.recipes: unknown recipe {string.Join(", ", unknown)}", $"recipes in this build: {string.Join(", ", all.Select(r => r.Name))}");
        if (options.Recipes.Contains("local-distilled") && !options.Recipes.Contains(DistilledStudentRecipe.TeacherName))
            throw new LeverUserException("lab.recipes: local-distilled needs its teacher", $"add {DistilledStudentRecipe.TeacherName} to lab.recipes");
        return all.Where(r => options.Recipes.Contains(r.Name)).ToList();
    }

    /// <summary>Runs (or reuses) every stage and returns the measured results.</summary>
    public async Task<LabReport> RunAsync(CancellationToken ct)
    {
        var pipeline = new LabPipeline(LabDir, _observer);
        var dataDir = await SpamAssassinCorpus.EnsureAsync(_workspace, _config.Options.Dataset, _observer, ct).ConfigureAwait(false);

        var dataRecord = await PrepareDataAsync(pipeline, dataDir, ct).ConfigureAwait(false);
        var stats = JsonSerializer.Deserialize<DatasetStats>(File.ReadAllText(Path.Combine(LabDir, "data", "stats.json")), JsonLines.Options)!;
        var test = JsonLines.Read<LabExample>(Path.Combine(LabDir, "data", "test.jsonl"));

        LanguageModelFoundation.Result? foundation = null;
        if (_recipes.Any(r => r.NeedsBaseModel))
            foundation = await LanguageModelFoundation.EnsureAsync(pipeline, dataRecord, _config.Options.Llm, Data, ct).ConfigureAwait(false);

        var results = new List<RecipeResult>();
        var trained = new Dictionary<string, StageRecord>(StringComparer.Ordinal);
        var reportInputs = new List<string> { ReportVersion, dataRecord.Inputs };
        foreach (var recipe in _recipes)
        {
            var baseModel = recipe.NeedsBaseModel ? foundation : null;
            // A recipe built on another one (a distilled student on its teacher) depends on that recipe's trained outputs,
            // and the teacher's training is part of what the student cost.
            var teacher = recipe.BuildsOn is { } name ? trained.GetValueOrDefault(name)
                ?? throw new InvalidOperationException($"{recipe.Name} needs {name} to run first") : null;
            var (train, eval) = await RunRecipeAsync(pipeline, recipe, dataRecord, baseModel, teacher, ct).ConfigureAwait(false);
            trained[recipe.Name] = train;
            var predictions = JsonLines.Read<PredictionLine>(Path.Combine(LabDir, "recipes", recipe.Name, "predictions.jsonl"));
            // A recipe on the lab's own model could not exist without the tokenizer and pre-training: their time is its training time too.
            var result = Score(recipe, test, predictions, train.Values.GetValueOrDefault("train_seconds") + (teacher?.Values.GetValueOrDefault("train_seconds") ?? 0) + (baseModel?.Seconds ?? 0));
            results.Add(result);
            reportInputs.Add(eval.Outputs.Values.Single());
            reportInputs.Add(result.TrainSeconds.ToString("R", CultureInfo.InvariantCulture));
        }

        var (recommendation, picked) = LabAdvice.Recommend(_workspace, results, _config, test.Count);
        var o = _config.Options;
        reportInputs.AddRange([_config.RequestsPerMonth.ToString("R", CultureInfo.InvariantCulture), o.Compute.CpuHourUsd.ToString("R", CultureInfo.InvariantCulture),
            o.Compute.AmortizeMonths.ToString(CultureInfo.InvariantCulture), o.ToleranceAccuracyPoints.ToString("R", CultureInfo.InvariantCulture),
            recommendation.ToJsonString()]);
        await pipeline.RunAsync("report", "write the report", Hashing.Of([.. reportInputs]), ["summary.json", "report.html", "results.json"], (run, _) =>
        {
            run.Start(1);
            LabSummaryWriter.Write(LabDir, results, recommendation, picked, stats, _config, _workspace);
            run.Detail = ".lever/lab/report.html";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);

        return new LabReport(results, recommendation, picked, stats, Path.Combine(LabDir, "summary.json"), Path.Combine(LabDir, "report.html"), pipeline.Ran, pipeline.Reused);
    }

    private async Task<StageRecord> PrepareDataAsync(LabPipeline pipeline, string dataDir, CancellationToken ct)
    {
        var d = _config.Options.Dataset;
        var pool = SpamAssassinCorpus.List(dataDir, d.TrainGroups, "train_groups");
        var test = SpamAssassinCorpus.List(dataDir, d.TestGroups, "test_groups");
        // The data stage depends on which files there are and how big (not where the cache is), and on the split settings.
        var inventory = string.Join('\n', pool.Concat(test).Select(f => $"{f.Group}/{Path.GetFileName(f.File)}:{new FileInfo(f.File).Length}"));
        var inputs = Hashing.Of(DataVersion, inventory, d.ValidationFraction.ToString("R", CultureInfo.InvariantCulture),
            d.Seed.ToString(CultureInfo.InvariantCulture), d.MaxBodyChars.ToString(CultureInfo.InvariantCulture));
        string[] outputs = ["data/train.jsonl", "data/validation.jsonl", "data/test.jsonl", "data/stats.json"];
        return await pipeline.RunAsync("data", $"parse {pool.Count + test.Count} emails", inputs, outputs, (run, token) =>
        {
            var all = pool.Concat(test).ToList();
            run.Start(all.Count);
            var examples = SpamAssassinCorpus.Read(all, d.MaxBodyChars, n => run.Progress(n), token);
            var data = DatasetSplitter.Split(examples.Take(pool.Count).ToList(), examples.Skip(pool.Count).ToList(), d.ValidationFraction, d.Seed);
            Directory.CreateDirectory(Path.Combine(LabDir, "data"));
            JsonLines.Write(Path.Combine(LabDir, "data", "train.jsonl"), data.Train);
            JsonLines.Write(Path.Combine(LabDir, "data", "validation.jsonl"), data.Validation);
            JsonLines.Write(Path.Combine(LabDir, "data", "test.jsonl"), data.Test);
            var stats = DatasetStats.Of(data);
            File.WriteAllText(Path.Combine(LabDir, "data", "stats.json"), JsonSerializer.Serialize(stats, new JsonSerializerOptions(JsonLines.Options) { WriteIndented = true }));
            _data = data;
            run.Detail = string.Join("; ", stats.Splits.Select(s => $"{s.Key} {string.Join(" + ", s.Value.Select(kv => $"{kv.Value} {kv.Key}"))}"));
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);
    }

    private LabDataset Data()
    {
        if (_data is not null) return _data;
        var dir = Path.Combine(LabDir, "data");
        var train = JsonLines.Read<LabExample>(Path.Combine(dir, "train.jsonl"));
        var validation = JsonLines.Read<LabExample>(Path.Combine(dir, "validation.jsonl"));
        var test = JsonLines.Read<LabExample>(Path.Combine(dir, "test.jsonl"));
        var labels = train.Concat(validation).Concat(test).Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        return _data = new LabDataset(labels, train, validation, test);
    }

    private async Task<(StageRecord Train, StageRecord Eval)> RunRecipeAsync(LabPipeline pipeline, LabRecipe recipe, StageRecord data,
        LanguageModelFoundation.Result? foundation, StageRecord? teacher, CancellationToken ct)
    {
        var dir = Directory.CreateDirectory(Path.Combine(LabDir, "recipes", recipe.Name)).FullName;
        var trainData = data.Outputs["data/train.jsonl"] + data.Outputs["data/validation.jsonl"];
        var trainInputs = teacher is null
            ? Hashing.Of(trainData, recipe.Fingerprint, foundation?.Inputs ?? "")
            : Hashing.Of(trainData, recipe.Fingerprint, foundation?.Inputs ?? "", teacher.Inputs, string.Join(',', teacher.Outputs.Values));
        var baseModel = foundation?.Directory;
        var artifacts = recipe.Artifacts.Select(a => $"recipes/{recipe.Name}/{a}").ToList();
        var train = await pipeline.RunAsync($"train:{recipe.Name}", $"train {recipe.Name}", trainInputs, artifacts, async (run, token) =>
        {
            var clock = Stopwatch.StartNew();
            await recipe.TrainAsync(new RecipeContext(_workspace, dir, Data(), run, baseModel, trainInputs), token).ConfigureAwait(false);
            run.SetValue("train_seconds", clock.Elapsed.TotalSeconds);
            run.SetValue("train_cores", recipe.TrainCores);
            run.Detail = $"{run.Detail}{(run.Detail is null ? "" : "; ")}{clock.Elapsed.TotalSeconds:F1} s";
        }, ct).ConfigureAwait(false);

        var evalInputs = Hashing.Of(EvalVersion, trainInputs, string.Join(',', train.Outputs.Values), data.Outputs["data/test.jsonl"], recipe.AnswerCores.ToString(CultureInfo.InvariantCulture));
        var eval = await pipeline.RunAsync($"eval:{recipe.Name}", $"test {recipe.Name}", evalInputs, [$"recipes/{recipe.Name}/predictions.jsonl"],
            (run, token) => EvaluateAsync(recipe, dir, evalInputs, baseModel, run, token), ct).ConfigureAwait(false);
        return (train, eval);
    }

    private async Task EvaluateAsync(LabRecipe recipe, string dir, string inputs, string? baseModel, StageRun run, CancellationToken ct)
    {
        var data = Data();
        var partial = Path.Combine(dir, "predictions.partial.jsonl");
        var partialInputs = partial + ".inputs";
        // Answers already given by an interrupted run of this same stage are kept; any other partial file is stale.
        var done = new List<PredictionLine>();
        if (File.Exists(partial) && File.Exists(partialInputs) && File.ReadAllText(partialInputs) == inputs)
            done = JsonLines.Read<PredictionLine>(partial, tolerateTornTail: true);
        JsonLines.Write(partial, done);
        File.WriteAllText(partialInputs, inputs);
        var answered = done.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        run.Start(data.Test.Count);
        if (answered.Count > 0)
            run.Info(answered.Count >= data.Test.Count
                ? $"{recipe.Name}: all {data.Test.Count} answers were given before the interruption"
                : $"{recipe.Name}: resuming evaluation at item {answered.Count + 1} of {data.Test.Count}");

        using var answerer = await recipe.LoadAsync(new RecipeContext(_workspace, dir, data, null, baseModel, inputs), ct).ConfigureAwait(false);
        // One untimed answer first, so JIT and lazy loading are not billed to the first test item.
        var warmup = data.Validation.Count > 0 ? data.Validation[0] : data.Test[0];
        await answerer.AnswerAsync(warmup, ct).ConfigureAwait(false);

        await using (var writer = new StreamWriter(partial, append: true))
        {
            var count = answered.Count;
            foreach (var example in data.Test)
            {
                if (answered.Contains(example.Id)) continue;
                ct.ThrowIfCancellationRequested();
                var clock = Stopwatch.GetTimestamp();
                var answer = await answerer.AnswerAsync(example, ct).ConfigureAwait(false);
                var ms = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
                var line = new PredictionLine(example.Id, example.Label, answer.Label, ms, answer.CostUsd);
                await writer.WriteLineAsync(JsonSerializer.Serialize(line, JsonLines.Options)).ConfigureAwait(false);
                // Flushed per item: a killed run loses at most the answer in flight.
                await writer.FlushAsync(ct).ConfigureAwait(false);
                done.Add(line);
                run.Progress(++count);
            }
        }
        var order = data.Test.Select((e, i) => (e.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        JsonLines.Write(Path.Combine(dir, "predictions.jsonl"), done.Where(p => order.ContainsKey(p.Id)).OrderBy(p => order[p.Id]));
        File.Delete(partial);
        File.Delete(partialInputs);
        var correct = done.Count(p => p.Expected == p.Predicted);
        run.Detail = $"{correct}/{done.Count} correct";
    }

    private RecipeResult Score(LabRecipe recipe, IReadOnlyList<LabExample> test, IReadOnlyList<PredictionLine> predictions, double trainSeconds)
    {
        var byId = predictions.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var missing = test.Where(e => !byId.ContainsKey(e.Id)).Select(e => e.Id).Take(3).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"{recipe.Name}: no prediction for {string.Join(", ", missing)}");
        var labels = test.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var metrics = ClassificationMetrics.Compute(labels, test.Select(e => e.Label).ToList(), test.Select(e => byId[e.Id].Predicted).ToList());
        var latencies = test.Select(e => byId[e.Id].LatencyMs).ToList();
        var billed = predictions.Any(p => p.CostUsd is not null) ? predictions.Average(p => p.CostUsd ?? 0) : (double?)null;
        var cost = LabCost.Compute(latencies.Average(), recipe.AnswerCores, billed, trainSeconds, recipe.TrainCores, _config.Options.Compute, _config.RequestsPerMonth);
        return new RecipeResult(recipe.Name, recipe.Lever, recipe.Description, metrics,
            ClassificationMetrics.Percentile(latencies, 50), ClassificationMetrics.Percentile(latencies, 95), latencies.Average(), trainSeconds, cost);
    }
}
