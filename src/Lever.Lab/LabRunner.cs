using Lever.Lab.Datasets;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lever.Advisor;
using Lever.Core;
using Lever.Evals.Metrics;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Evals.Cost;
using Lever.Core.Levers;
using Lever.Evals.Scoring;
using Lever.Providers;
using Lever.Lab.Data;
using Lever.Lab.Internal;
using Lever.Lab.Pipeline;
using Lever.Lab.Recipes;
using Lever.Lab.Recipes.Local;
using Lever.Lab.Recipes.Provider;
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
    private const string FileDataVersion = "file-data-v1";
    private const string EvalVersion = "eval-v1";
    private const string ReportVersion = "report-v6";

    private readonly Workspace _workspace;
    private readonly LabConfiguration _config;
    private readonly IReadOnlyList<LabRecipe> _recipes;
    private readonly ILabObserver _observer;
    private readonly ILabPages _pages;
    private LabDataset? _data;

    /// <summary>Prepares a run of <paramref name="recipes"/> in <paramref name="workspace"/>; <paramref name="pages"/> renders report.html.</summary>
    public LabRunner(Workspace workspace, LabConfiguration config, IReadOnlyList<LabRecipe> recipes, ILabObserver observer, ILabPages pages)
    {
        _pages = pages;
        _workspace = workspace;
        _config = config;
        _recipes = recipes;
        _observer = observer;
        Inference = new LabInference(config.Options.Inference);
        var dup = recipes.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"two recipes are named {dup.Key}");
    }

    /// <summary>
    /// The backend the lab's own models are scored on: <c>lab.inference</c>, with the program's llama.cpp connection and
    /// GGUF writer when it sets one (without them, <c>backend: llamacpp</c> is a user error when a row needs it).
    /// </summary>
    public LabInference Inference { get; init; }

    /// <summary><c>.lever/lab</c> in the workspace.</summary>
    public string LabDir => Path.Combine(_workspace.StateDir, "lab");

    /// <summary>The recipes this build can run, filtered by <c>lab.recipes</c> when set.</summary>
    public static IReadOnlyList<LabRecipe> Recipes(LabOptions options) =>
        options.Task == Import.LabTasks.Extraction ? Lever.Lab.Recipes.Extraction.ExtractionRecipes.For(options) : Recipes(options, hosted: null);

    /// <summary>
    /// The recipes for <paramref name="workspace"/>: the local ones, the vector retrieval ones when an embedding model
    /// is available (<see cref="LabEmbeddings.Resolve"/>), plus the hosted model's (zero-shot, few-shot, retrieval
    /// few-shot) whenever a provider is configured (<see cref="HostedModel.Resolve"/>), filtered by <c>lab.recipes</c>.
    /// </summary>
    public static IReadOnlyList<LabRecipe> Recipes(LabConfiguration config, Workspace workspace, ProviderConnection? connection = null) =>
        config.Options.Task == Import.LabTasks.Extraction ? Lever.Lab.Recipes.Extraction.ExtractionRecipes.For(config.Options)
            : Recipes(config.Options, HostedModel.Resolve(workspace, config.Options, connection), LabEmbeddings.Resolve(workspace, config.Options, connection));

    /// <summary>
    /// The local recipes (with <paramref name="embedding"/>, the vector kNN vote and few-shot beside their BM25
    /// versions) plus, with <paramref name="hosted"/>, its three recipes (after the local ones, so a failing provider
    /// cannot cost the local rows), and with <c>lab.distill.teacher: provider</c> a student taught by it.
    /// <c>lab.recipes</c> filters them; the hosted recipes come along unless it names one of them.
    /// </summary>
    public static IReadOnlyList<LabRecipe> Recipes(LabOptions options, HostedModel? hosted, LabEmbedding? embedding = null)
    {
        var llm = options.Llm;
        var providerTeacher = options.Distill.Teacher switch
        {
            LabDistillOptions.LocalTeacher => false,
            LabDistillOptions.ProviderTeacher => true,
            var t => throw new LeverUserException($"lab.distill.teacher: unknown teacher '{t}'", "use local (the lab's full fine-tune) or provider (the configured hosted model)"),
        };
        if (providerTeacher && hosted is null)
            throw new LeverUserException("lab.distill.teacher: provider, but no hosted provider is configured",
                "add an OpenAI-compatible entry under providers: (base_url, api_key_env, model) or export OPENAI_API_KEY; or set lab.distill.teacher: local");
        LabRecipe student = providerTeacher ? new ProviderTaughtStudentRecipe(llm, hosted!) : new DistilledStudentRecipe(llm);
        List<LabRecipe> all = [new ClassicalBaselineRecipe(), new ZeroShotRecipe(llm), new FewShotRecipe(llm), new ZeroShotRecipe(llm, calibrated: true), new FewShotRecipe(llm, calibrated: true),
            new RetrievalVoteRecipe(llm), new RetrievalFewShotRecipe(llm)];
        if (embedding is not null) all.AddRange([new RetrievalVoteRecipe(llm, embedding), new RetrievalFewShotRecipe(llm, embedding)]);
        all.AddRange([new FineTuneRecipe(llm, lora: true), new FineTuneRecipe(llm, lora: false), new ContinuedPretrainingRecipe(llm)]);
        if (!providerTeacher) all.Add(student);
        if (hosted is not null)
            all.AddRange(Enum.GetValues<HostedPromptKind>().Select(k => new HostedPromptRecipe(hosted, k)));
        if (providerTeacher) all.Add(student);
        if (options.Recipes is null) return all;
        var unknown = options.Recipes.Where(n => all.All(r => r.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            var hint = $"recipes in this build: {string.Join(", ", all.Select(r => r.Name))}";
            if (hosted is null && unknown.Any(HostedPromptRecipe.Names.Contains)) hint += "; the hosted-* recipes need a provider (providers: in lever.yaml, or OPENAI_API_KEY)";
            if (embedding is null && unknown.Any(n => n is RetrievalVoteRecipe.VectorName or RetrievalFewShotRecipe.VectorName))
                hint += "; the *-vector recipes need an embedding model (lab.embedding: a provider with embedding_model, or the built-in local one)";
            throw new LeverUserException($"lab.recipes: unknown recipe {string.Join(", ", unknown)}", hint);
        }
        if (!providerTeacher && options.Recipes.Contains("local-distilled") && !options.Recipes.Contains(DistilledStudentRecipe.TeacherName))
            throw new LeverUserException("lab.recipes: local-distilled needs its teacher", $"add {DistilledStudentRecipe.TeacherName} to lab.recipes");
        // A configured provider adds its rows with no other change; listing some of them in lab.recipes picks those only.
        var hostedListed = options.Recipes.Any(HostedPromptRecipe.Names.Contains);
        return all.Where(r => options.Recipes.Contains(r.Name) || (r is HostedPromptRecipe && !hostedListed)).ToList();
    }

    /// <summary>Runs (or reuses) every stage and returns the measured results.</summary>
    public async Task<LabReport> RunAsync(CancellationToken ct)
    {
        var pipeline = new LabPipeline(LabDir, _observer);
        var dataRecord = _config.Options.Dataset.Source == LabDatasetOptions.FileSource
            ? await PrepareFileDataAsync(pipeline, ct).ConfigureAwait(false)
            : await PrepareDataAsync(pipeline, await SpamAssassinCorpus.EnsureAsync(_workspace, _config.Options.Dataset, _observer, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        var stats = JsonSerializer.Deserialize<DatasetStats>(File.ReadAllText(Path.Combine(LabDir, "data", "stats.json")), JsonLines.Options)!;
        var test = JsonLines.Read<LabExample>(Path.Combine(LabDir, "data", "test.jsonl"));

        LanguageModelFoundation.Result? foundation = null;
        if (_recipes.Any(r => r.NeedsBaseModel)) SizeModel();
        if (_recipes.Any(r => r.NeedsBaseModel))
            foundation = await LanguageModelFoundation.EnsureAsync(pipeline, dataRecord, _config.Options.Llm, Data, ct, Extraction ? ExtractionTask.PretrainText : null).ConfigureAwait(false);

        var results = new List<RecipeResult>();
        var trained = new Dictionary<string, StageRecord>(StringComparer.Ordinal);
        var reportInputs = new List<string> { ReportVersion, dataRecord.Inputs };
        var notes = new List<string>();
        Exception? providerFailure = null;
        foreach (var recipe in _recipes)
        {
            var hosted = recipe as IProviderBackedRecipe;
            if (hosted is not null && providerFailure is not null)
            {
                notes.Add($"{recipe.Name} was not run: provider '{hosted.ProviderName}' failed earlier in this run");
                continue;
            }
            var baseModel = recipe.NeedsBaseModel ? foundation : null;
            // A recipe built on another one (a distilled student on its teacher) depends on that recipe's trained outputs,
            // and the teacher's training is part of what the student cost.
            var teacher = recipe.BuildsOn is { } name ? trained.GetValueOrDefault(name)
                ?? throw new InvalidOperationException($"{recipe.Name} needs {name} to run first") : null;
            // Hosted rows may answer a seeded sample of the test split (lab.provider.max_test_items): their bill is real money.
            var items = hosted?.MaxTestItems is { } cap && cap < test.Count ? Sample(test, cap) : test;
            // lab.inference.max_test_items: the model rows on a seeded sample too (a backend comparison on a busy machine).
            if (recipe.RunsOnInferenceBackend && Inference.Options.MaxTestItems is { } modelCap && modelCap < test.Count) items = Sample(test, modelCap);
            StageRecord train, eval;
            try
            {
                (train, eval) = await RunRecipeAsync(pipeline, recipe, dataRecord, baseModel, teacher, items, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (hosted is not null && ex is not OperationCanceledException && !ct.IsCancellationRequested)
            {
                // The local rows are worth keeping: skip this provider's recipes, write the report, and fail at the end
                // (answers already given stay in the partial file; the next run resumes there).
                providerFailure = ex;
                var fix = ex is LeverUserException { Hint: { } h } ? h
                    : $"check providers.{hosted.ProviderName}.base_url and that the server is up, or set lab.provider.enabled: false to run without hosted rows";
                notes.Add($"{recipe.Name} was not measured: {ex.Message} (fix: {fix})");
                _observer.Info($"{recipe.Name}: provider '{hosted.ProviderName}' failed: {ex.Message}; its remaining recipes are skipped, the local rows are kept");
                continue;
            }
            trained[recipe.Name] = train;
            var predictions = ResultStore<ItemResult>.ReadAll(ResultsPath(recipe.Name));
            // A recipe on the lab's own model could not exist without the tokenizer and pre-training: their time is its training time too.
            var billed = train.Values.GetValueOrDefault(ProviderTaughtStudentRecipe.TrainBilledUsd);
            var result = Score(recipe, items, predictions, train.Values.GetValueOrDefault("train_seconds") + (teacher?.Values.GetValueOrDefault("train_seconds") ?? 0) + (baseModel?.Seconds ?? 0), billed)
                with
                {
                    Model = ModelOf(recipe, baseModel), ModelParameters = baseModel is null ? null : Engine.Modules.ModelPresets.ParameterCount(Engine.Modules.LlamaConfig.Load(Path.Combine(baseModel.Directory, "config.json"))),
                    ModelId = ModelIdOf(recipe, baseModel), Route = recipe is HostedPromptRecipe ? "api" : "self-hosted",
                    Inference = recipe.RunsOnInferenceBackend ? Inference.Options : null,
                    Settings = recipe.Settings(Path.Combine(LabDir, "recipes", recipe.Name)),
                };
            results.Add(result);
            reportInputs.Add(eval.Outputs.Values.Single());
            reportInputs.Add(result.TrainSeconds.ToString("R", CultureInfo.InvariantCulture));
            reportInputs.Add(billed.ToString("R", CultureInfo.InvariantCulture));
            if (result.Settings is { } settings) reportInputs.Add(JsonSerializer.Serialize(settings));
            if (recipe is HostedPromptRecipe { Hosted: var model })
            {
                var unpriced = predictions.Count(p => p.BilledUsd is null);
                if (unpriced > 0)
                    notes.Add($"{recipe.Name}: {unpriced} of {predictions.Count} answers came without token usage from provider '{model.Provider}'; they are counted at $0, so its cost is understated");
                if (model.Prices == Core.Prices.TokenPrices.Free && !notes.Any(n => n.StartsWith($"no price for {model.Model}", StringComparison.Ordinal)))
                    notes.Add($"no price for {model.Model} (provider '{model.Provider}') in lever.yaml or the price book: its answers are priced at $0; set providers.{model.Provider}.prices (or price_id)");
            }
            if (items.Count < test.Count)
                notes.Add($"{recipe.Name} was measured on a seeded sample of {items.Count} of the {test.Count} test items ({(recipe.RunsOnInferenceBackend ? "lab.inference" : "lab.provider")}.max_test_items), not on every one");
        }

        var recommendation = LabAdvice.Recommend(_workspace, results, _config, test.Count).WithWarnings(notes);
        var o = _config.Options;
        var measuredModels = results.Where(r => r.Route == "api" && r.ModelId is not null).Select(r => r.ModelId![(r.ModelId!.IndexOf('/', StringComparison.Ordinal) + 1)..]).ToHashSet(StringComparer.Ordinal);
        var quotes = HostedQuote.Of(Core.Prices.PriceBook.For(Core.Config.LeverConfig.Load(_workspace.ConfigPath)), test, Data().Labels, o.Provider.PromptChars, _config.RequestsPerMonth, measuredModels,
            Extraction ? Data().Train.Select(e => e.Label).ToList() : null);
        reportInputs.Add(JsonSerializer.Serialize(quotes));
        if (Inference.Fingerprint.Length > 0) reportInputs.Add(Inference.Fingerprint);
        if (o.Llm.Sizing is { } sizing) reportInputs.Add(JsonSerializer.Serialize(sizing));
        reportInputs.AddRange([_config.RequestsPerMonth.ToString("R", CultureInfo.InvariantCulture), o.Compute.CpuHourUsd.ToString("R", CultureInfo.InvariantCulture),
            o.Compute.AmortizeMonths.ToString(CultureInfo.InvariantCulture), o.ToleranceAccuracyPoints.ToString("R", CultureInfo.InvariantCulture),
            recommendation.ToJson().ToJsonString()]);
        await pipeline.RunAsync("report", "write the report", Hashing.Of([.. reportInputs]), ["summary.json", "report.html", "results.json"], (run, _) =>
        {
            run.Start(1);
            LabSummaryWriter.Write(LabDir, results, recommendation, stats, _config, _workspace, _pages, quotes);
            run.Detail = ".lever/lab/report.html";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);

        return new LabReport(results, recommendation, stats, Path.Combine(LabDir, "summary.json"), Path.Combine(LabDir, "report.html"), pipeline.Ran, pipeline.Reused)
        {
            ProviderFailure = providerFailure,
            HostedQuotes = quotes,
        };
    }

    /// <summary>
    /// Sizes the lab's model from the training split and <c>lab.budget_minutes</c> (<see cref="LocalModelSizing"/>) for
    /// every <c>lab.llm</c> field lever.yaml leaves unset, before any stage reads them: rows are the training split,
    /// tokens the text pre-training reads (characters / 4, as <c>lever lab init</c> estimates them).
    /// </summary>
    private void SizeModel()
    {
        var llm = _config.Options.Llm;
        var train = Data().Train;
        Func<LabExample, string> read = Extraction ? ExtractionTask.PretrainText : e => e.Text;
        var meanTokens = train.Count == 0 ? 1 : train.Average(e => Math.Min(read(e).Length, llm.PretrainChars) / 4.0);
        var preset = llm.Preset == LabLanguageModelOptions.AutoPreset ? null : llm.Preset;
        var size = LocalModelSizing.Size(Math.Max(1, train.Count), meanTokens, _config.Options.BudgetMinutes * 60, llm.Vocab, preset);
        llm.Resolve(size);
        if (llm.Sizing is not null)
            _observer.Info($"lab model sized for {train.Count:N0} rows × {meanTokens:0.#} tokens in {_config.Options.BudgetMinutes:0.#} min: {llm.Preset}, " +
                $"{llm.PretrainSteps} pre-training, {llm.FineTuneSteps} fine-tuning, {FineTuneRecipe.Steps(llm, lora: true)} LoRA steps, batch {llm.BatchSize} × {llm.SeqLen} (lab.budget_minutes; set lab.llm to fix them)");
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
            var stats = WriteSplits(DatasetSplitter.Split(examples.Take(pool.Count).ToList(), examples.Skip(pool.Count).ToList(), d.ValidationFraction, d.Seed));
            run.Detail = string.Join("; ", stats.Splits.Select(s => $"{s.Key} {string.Join(" + ", s.Value.Select(kv => $"{kv.Value} {kv.Key}"))}"));
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A team's own file (<c>lab.dataset.source: file</c>): read and checked as <c>lever lab init</c> reads it, split by
    /// the given test file, by time/file order, or stratified at random with the seed; then validation is held out of the
    /// rest as for every source. The stage depends on the files' contents, the fields and the split settings.
    /// </summary>
    private async Task<StageRecord> PrepareFileDataAsync(LabPipeline pipeline, CancellationToken ct)
    {
        var d = _config.Options.Dataset;
        var path = Path.GetFullPath(d.Path!, _workspace.Root);
        var testPath = d.Test is { } t ? Path.GetFullPath(t, _workspace.Root) : null;
        var setup = Path.Combine(_workspace.Root, "setup.sh");
        foreach (var file in testPath is null ? [path] : new[] { path, testPath })
            if (!File.Exists(file) && File.Exists(setup))
                // A sample whose data is fetched by its own setup script (samples/fortunes): say so instead of "check the path".
                throw new LeverUserException($"{file}: file not found (lab.dataset in {_workspace.ConfigPath})", $"run {setup} first: it fetches this workspace's data");
        Core.Data.Utf8Text.Require(path);
        if (testPath is not null) Core.Data.Utf8Text.Require(testPath);
        var inputs = Hashing.Of(FileDataVersion, Hashing.File(path), testPath is null ? "" : Hashing.File(testPath), d.TextField ?? "", d.LabelField ?? "",
            d.InputField ?? "", d.OutputField ?? "", d.Split, d.TestFraction.ToString("R", CultureInfo.InvariantCulture),
            d.ValidationFraction.ToString("R", CultureInfo.InvariantCulture), d.Seed.ToString(CultureInfo.InvariantCulture));
        // An extraction split is random over all rows, not per class: the task is part of the data stage's identity.
        if (Extraction) inputs = Hashing.Of(inputs, Import.LabTasks.Extraction);
        string[] outputs = ["data/train.jsonl", "data/validation.jsonl", "data/test.jsonl", "data/stats.json"];
        return await pipeline.RunAsync("data", $"read {Path.GetFileName(path)}", inputs, outputs, (run, token) =>
        {
            var choice = new Import.FieldChoice(d.TextField, d.LabelField, d.InputField, d.OutputField);
            var data = Import.DatasetImporter.Read(path, choice);
            var given = testPath is null ? null : Import.DatasetImporter.Read(testPath, fields: data.Fields);
            if (!Extraction) Import.DataProfile.CheckClassification(data, given);
            run.Start(data.Rows.Count + (given?.Rows.Count ?? 0));
            // Rows numbered by line in both files stay apart: the test file's are test-line-N.
            static LabExample Example(Import.ImportedExample r, string group) =>
                new(group == "test" && r.Id.StartsWith("line-", StringComparison.Ordinal) ? "test-" + r.Id : r.Id, group, r.Output, "", "", r.Input);
            var rows = data.Rows.Select(r => Example(r, "data")).ToList();
            var (pool, test) = given is not null ? (rows, given.Rows.Select(r => Example(r, "test")).ToList())
                : d.Split == "order" ? DatasetSplitter.HoldOutLast(InOrder(data.Rows).Select(r => Example(r, "data")).ToList(), d.TestFraction)
                : DatasetSplitter.HoldOutStratified(rows, d.TestFraction, d.Seed, Stratum);
            var ids = rows.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            if (given is not null && test.FirstOrDefault(r => ids.Contains(r.Id)) is { } reused)
                throw new LeverUserException($"{testPath}: id '{reused.Id}' is also used in {path}", "give test rows their own ids, or drop the id fields to number rows by line");
            token.ThrowIfCancellationRequested();
            var stats = WriteSplits(DatasetSplitter.Split(pool, test, d.ValidationFraction, d.Seed, Stratum));
            run.Progress(data.Rows.Count + (given?.Rows.Count ?? 0));
            var how = given is not null ? $"test: {Path.GetFileName(testPath)}" : d.Split == "order" ? $"test: the last {d.TestFraction:P0} by {data.Fields.Order ?? "file order"}"
                : $"test: {d.TestFraction:P0} {(Extraction ? "at random" : "stratified")}, seed {d.Seed}";
            run.Detail = $"{how}; {string.Join("; ", stats.Splits.Select(s => $"{s.Key} {s.Value.Values.Sum()}"))}";
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The data stage's outputs, for every source: data/{train,validation,test}.jsonl and data/stats.json; the splits are kept for this run.</summary>
    private DatasetStats WriteSplits(LabDataset data)
    {
        // An extraction's outputs are texts, not classes: no label set (stats count examples per split).
        if (Extraction) data = data with { Labels = [] };
        Directory.CreateDirectory(Path.Combine(LabDir, "data"));
        JsonLines.Write(Path.Combine(LabDir, "data", "train.jsonl"), data.Train);
        JsonLines.Write(Path.Combine(LabDir, "data", "validation.jsonl"), data.Validation);
        JsonLines.Write(Path.Combine(LabDir, "data", "test.jsonl"), data.Test);
        var stats = DatasetStats.Of(data);
        File.WriteAllText(Path.Combine(LabDir, "data", "stats.json"), JsonSerializer.Serialize(stats, new JsonSerializerOptions(JsonLines.Options) { WriteIndented = true }));
        _data = data;
        return stats;
    }

    /// <summary>Rows by their order field (times or numbers when they all parse, else text), file order breaking ties; file order without one.</summary>
    private static IReadOnlyList<Import.ImportedExample> InOrder(IReadOnlyList<Import.ImportedExample> rows)
    {
        if (rows.Any(r => r.Order is null)) return rows;
        if (rows.All(r => DateTimeOffset.TryParse(r.Order, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)))
            return rows.OrderBy(r => DateTimeOffset.Parse(r.Order!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)).ThenBy(r => r.Line).ToList();
        if (rows.All(r => double.TryParse(r.Order, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            return rows.OrderBy(r => double.Parse(r.Order!, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(r => r.Line).ToList();
        return rows.OrderBy(r => r.Order, StringComparer.Ordinal).ThenBy(r => r.Line).ToList();
    }

    private LabDataset Data()
    {
        if (_data is not null) return _data;
        var dir = Path.Combine(LabDir, "data");
        var train = JsonLines.Read<LabExample>(Path.Combine(dir, "train.jsonl"));
        var validation = JsonLines.Read<LabExample>(Path.Combine(dir, "validation.jsonl"));
        var test = JsonLines.Read<LabExample>(Path.Combine(dir, "test.jsonl"));
        IReadOnlyList<string> labels = Extraction ? [] : train.Concat(validation).Concat(test).Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        return _data = new LabDataset(labels, train, validation, test);
    }

    /// <summary>True for an extraction or transformation lab (outputs are texts, scored by exact match, token-F1 and JSON fields).</summary>
    private bool Extraction => _config.Options.Task == Import.LabTasks.Extraction;

    /// <summary>What the split holds out per group of: the class for classification, one group of all rows for extraction.</summary>
    private Func<LabExample, string>? Stratum => Extraction ? _ => "" : null;

    /// <summary>Whether this extraction's outputs are JSON objects (read once from the training split).</summary>
    private bool JsonOutputs => _jsonOutputs ??= ExtractionTask.JsonOutputs(Data().Train);

    private bool? _jsonOutputs;

    private async Task<(StageRecord Train, StageRecord Eval)> RunRecipeAsync(LabPipeline pipeline, LabRecipe recipe, StageRecord data,
        LanguageModelFoundation.Result? foundation, StageRecord? teacher, IReadOnlyList<LabExample> items, CancellationToken ct)
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
        // Answers depend on everything but the cap: a capped hosted recipe keeps its paid answers across cap changes.
        // The inference backend is part of the answers' identity (switching it re-measures); the engine adds nothing, so
        // caches made before lab.inference existed stay valid.
        if (recipe.RunsOnInferenceBackend && Inference.Fingerprint.Length > 0) evalInputs = Hashing.Of(evalInputs, Inference.Fingerprint);
        var answersTag = evalInputs;
        var capped = recipe is IProviderBackedRecipe { MaxTestItems: not null } || items.Count < Data().Test.Count;
        if (capped) evalInputs = Hashing.Of(evalInputs, $"items={items.Count}");
        var eval = await pipeline.RunAsync($"eval:{recipe.Name}", $"test {recipe.Name}", evalInputs, [$"recipes/{recipe.Name}/{EvalFolder}/{EvalRunner.ResultsFile}"],
            (run, token) => EvaluateAsync(recipe, dir, evalInputs, answersTag, capped, baseModel, items, run, token), ct).ConfigureAwait(false);
        return (train, eval);
    }

    /// <summary>A recipe's eval run folder (Evals' results.jsonl, errors.jsonl, summary.json and reports), under its recipe folder.</summary>
    private const string EvalFolder = "eval";

    private string ResultsPath(string recipe) => Path.Combine(LabDir, "recipes", recipe, EvalFolder, EvalRunner.ResultsFile);

    /// <summary>
    /// Answers <paramref name="items"/> with the trained recipe through Evals' runner, into the recipe's eval folder: one
    /// result line per answer as it comes, so an interrupted run of this same stage resumes at the first unanswered item
    /// (results are stored under an Evals recipe whose identity is <paramref name="answersTag"/>, so answers given under
    /// other inputs are never reused). A capped hosted row also keeps every paid answer in the runner's answer cache,
    /// so moving the cap pays only for emails not answered before.
    /// </summary>
    private async Task EvaluateAsync(LabRecipe recipe, string dir, string inputs, string answersTag, bool keepAnswers, string? baseModel,
        IReadOnlyList<LabExample> items, StageRun run, CancellationToken ct)
    {
        var data = Data();
        var evalDir = Path.Combine(dir, EvalFolder);
        var evalRecipe = EvalRecipe(recipe, answersTag, data.Labels);
        var recipeHash = evalRecipe.Hash();
        var set = LabEvalSet.Of(Path.Combine(evalDir, "test.jsonl"), items);
        var wanted = set.Items.Select(i => i.Hash).ToHashSet(StringComparer.Ordinal);
        var answered = ResultStore<ItemResult>.ReadAll(Path.Combine(evalDir, EvalRunner.ResultsFile))
            .Where(r => r.RecipeHash == recipeHash && wanted.Contains(r.ItemHash)).Select(r => r.ItemHash).Distinct().Count();
        run.Start(items.Count);
        if (answered > 0)
            run.Info(answered >= items.Count
                ? $"{recipe.Name}: all {items.Count} answers were given before the interruption"
                : $"{recipe.Name}: resuming evaluation at item {answered + 1} of {items.Count}");

        using var answerer = await recipe.LoadAsync(new RecipeContext(_workspace, dir, data, null, baseModel, inputs) { Inference = Inference }, ct).ConfigureAwait(false);
        // One untimed answer first, so JIT and lazy loading are not billed to the first test item.
        var warmup = data.Validation.Count > 0 ? data.Validation[0] : data.Test[0];
        await answerer.AnswerAsync(warmup, ct).ConfigureAwait(false);

        var options = new EvalRunOptions
        {
            Concurrency = answerer is IConcurrentRecipeAnswerer concurrent ? concurrent.MaxConcurrency : 1,
            Diagnose = false,
            StopOnFirstFailure = true,
            // Local answers take milliseconds to give again: a flushed line (kill -9 safe) is enough; paid ones are fsynced.
            FlushToDisk = recipe is IProviderBackedRecipe,
            CacheDir = keepAnswers ? Path.Combine(dir, "answers") : null,
        };
        var timed = new TimedAnswerer<LabExample>(items.ToDictionary(e => e.Id, StringComparer.Ordinal), async (example, token) =>
        {
            var answer = await answerer.AnswerAsync(example, token).ConfigureAwait(false);
            return new RecipeAnswer(answer.Label, TokenUsage.Zero, 0, [], [], []) { BilledUsd = answer.CostUsd };
        });
        var runner = new EvalRunner(evalRecipe, timed, options);
        // Concurrent answers report from several threads, not always in order: the stage sees each count once, rising.
        var (gate, shown) = (new Lock(), -1);
        var progress = new SyncProgress<RunProgress>(p =>
        {
            lock (gate)
            {
                if (p.Done <= shown) return;
                run.Progress(shown = p.Done);
            }
        });
        var summary = await runner.RunAsync(set, evalDir, progress, ct).ConfigureAwait(false);
        var final = ResultStore<ItemResult>.ReadAll(Path.Combine(evalDir, EvalRunner.ResultsFile));
        var correct = final.Count(p => p.Passed);
        // A reply outside the label set (a hosted model that did not answer with a label) is wrong, and counted here.
        var outside = final.Count(p => p.ParseError is not null);
        run.Detail = Extraction
            ? $"{correct}/{summary.Completed} exact{(JsonOutputs && outside > 0 ? $", {outside} answers not JSON" : "")}"
            : $"{correct}/{summary.Completed} correct{(outside > 0 ? $", {outside} answers outside the labels" : "")}";
    }

    /// <summary>
    /// The Evals recipe a lab row is stored and scored under: its name, lever and description, the stage's answer tag as
    /// its version (its identity: answers under other inputs are other answers), and a label parser over the data's labels.
    /// </summary>
    private Recipe EvalRecipe(LabRecipe recipe, string answersTag, IReadOnlyList<string> labels) => Extraction
        ? ExtractionEvalRecipe(recipe, answersTag)
        : new()
    {
        Name = recipe.Name,
        Version = answersTag,
        Description = recipe.Description,
        Lever = LeverKinds.Name(recipe.Lever),
        Provider = recipe is IProviderBackedRecipe hosted ? hosted.ProviderName : "lab",
        Model = recipe is HostedPromptRecipe h ? h.Model : null,
        Parser = new ParserOptions { Kind = "label", Labels = [.. labels] },
        Scoring = new ScoringOptions { Scorers = ["label"] },
    };

    private Recipe ExtractionEvalRecipe(LabRecipe recipe, string answersTag)
    {
        var (parser, scoring) = ExtractionTask.EvalOptions(JsonOutputs);
        return new Recipe
        {
            Name = recipe.Name, Version = answersTag, Description = recipe.Description, Lever = LeverKinds.Name(recipe.Lever),
            Provider = recipe is IProviderBackedRecipe hosted ? hosted.ProviderName : "lab", Parser = parser, Scoring = scoring,
        };
    }

    /// <summary>What answered, for the advisor's evidence: the lab's own model (its size comes with it) or the hosted model.</summary>
    private string? ModelOf(LabRecipe recipe, LanguageModelFoundation.Result? baseModel) => recipe switch
    {
        HostedPromptRecipe hosted => hosted.Model,
        ClassicalBaselineRecipe => "ML.NET logistic regression (no LLM)",
        _ when recipe.Lever == LeverKind.Baseline => null,
        _ when baseModel is not null => $"the lab's {_config.Options.Llm.Preset} Llama-family model, pre-trained from scratch on the training {(_config.Options.Dataset.Source == LabDatasetOptions.SpamAssassinSource ? "emails" : "texts")}",
        _ => null,
    };

    /// <summary>What answered, as an id: the provider's model, or the lab's pre-trained model the recipe starts from; null for the non-LLM rows.</summary>
    private string? ModelIdOf(LabRecipe recipe, LanguageModelFoundation.Result? baseModel) => recipe switch
    {
        HostedPromptRecipe hosted => $"{hosted.Hosted.Provider}/{hosted.Hosted.Model}",
        _ when baseModel is not null => $"lab/{_config.Options.Llm.Preset}",
        _ => null,
    };

    /// <summary>A seeded sample of <paramref name="count"/> test emails (the split's hash order, so classes come in their proportions), in test order.</summary>
    private IReadOnlyList<LabExample> Sample(IReadOnlyList<LabExample> test, int count)
    {
        var seed = _config.Options.Dataset.Seed;
        var chosen = test.OrderBy(e => DatasetSplitter.Key(e.Id, seed)).ThenBy(e => e.Id, StringComparer.Ordinal).Take(count).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        return test.Where(e => chosen.Contains(e.Id)).ToList();
    }

    private RecipeResult Score(LabRecipe recipe, IReadOnlyList<LabExample> test, IReadOnlyList<ItemResult> predictions, double trainSeconds, double trainBilledUsd)
    {
        var byId = predictions.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var missing = test.Where(e => !byId.ContainsKey(e.Id)).Select(e => e.Id).Take(3).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"{recipe.Name}: no prediction for {string.Join(", ", missing)}");
        var extraction = Extraction ? ExtractionTask.Score(test, byId) : default((Evals.Scoring.ExtractionReport Report, IReadOnlyDictionary<string, ItemOutcome> Outcomes)?);
        var metrics = extraction is { } x ? ExtractionTask.Placeholder(x.Report) : Metrics(test, byId);
        var latencies = test.Select(e => byId[e.Id].LatencyMs).ToList();
        var billed = predictions.Any(p => p.BilledUsd is not null) ? predictions.Average(p => p.BilledUsd ?? 0) : (double?)null;
        var cost = LabCost.Compute(latencies.Average(), recipe.AnswerCores, billed, trainSeconds, recipe.TrainCores, _config.Options.Compute, _config.RequestsPerMonth, trainBilledUsd);
        return new RecipeResult(recipe.Name, recipe.Lever, recipe.Description, metrics,
            Percentile.Of(latencies, 50), Percentile.Of(latencies, 95), latencies.Average(), trainSeconds, cost)
        {
            // The metrics' rule (Evals' label scorer): right is the expected label; an unparsed reply is wrong.
            Outcomes = extraction?.Outcomes ?? test.ToDictionary(e => e.Id, e => byId[e.Id].Passed ? new ItemOutcome(true, 1) : new ItemOutcome(false, 0), StringComparer.Ordinal),
            Extraction = extraction?.Report,
        };
    }

    /// <summary>The lab's scoring of one recipe: its answers (Evals' results) on <paramref name="test"/> against the labels the test split holds.</summary>
    internal static ClassificationReport Metrics(IReadOnlyList<LabExample> test, IReadOnlyDictionary<string, ItemResult> byId)
    {
        var labels = test.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        return ClassificationReport.Compute(test.Select(e => (e.Label, byId[e.Id].ParseError is null ? byId[e.Id].Prediction : (string?)null)).ToList(), labels);
    }
}
