using Lever.Core.Levers;
using Lever.Engine.Checkpoints;
using Lever.Lab.Internal;
using Lever.Training.Lora;
using Lever.Training.Runs;
using Lever.Training.Trainer;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Fine-tuning the lab's pre-trained model on the training split as prompt → label completions (loss on the label
/// only), with the validation split for the best checkpoint: LoRA adapters on every projection (merged into the base
/// afterwards, so answering costs the same as the base) or every weight. Answers by label likelihood.
/// </summary>
public sealed class FineTuneRecipe(LabLanguageModelOptions options, bool lora) : LocalModelRecipe(options)
{
    internal const string ModelDir = "model";

    /// <inheritdoc/>
    public override string Name => lora ? "local-lora" : "local-full-fine-tune";

    /// <inheritdoc/>
    public override LeverKind Lever => lora ? LeverKind.FineTuneLora : LeverKind.FineTuneFull;

    /// <inheritdoc/>
    public override string Description => lora
        ? $"LoRA r={Options.LoraRank} on every projection of the pre-trained {Options.Preset} model, {Steps(Options, lora)} steps, merged"
        : $"every weight of the pre-trained {Options.Preset} model, {Options.FineTuneSteps} steps";

    /// <inheritdoc/>
    public override string Fingerprint => $"{(lora ? "lora" : "full")}-v3;balanced;tokens={PromptTokens};seq={Options.SeqLen};steps={Steps(Options, lora)};batch={Options.BatchSize};chars={Options.PromptChars};r={Options.LoraRank};seed={Options.Seed};lr={LearningRates.Fingerprint(Rates)}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => Rates.Count > 1 ? [$"{ModelDir}/model.safetensors", ValidationSearch.File] : [$"{ModelDir}/model.safetensors"];

    /// <summary>The full fine-tune's default learning rate (LoRA's adapters start at zero and take a larger one).</summary>
    internal const double FullLearningRate = 5e-4;

    /// <summary>LoRA's default learning rate.</summary>
    internal const double LoraLearningRate = 2e-3;

    // One rate when lever.yaml sets it; else the search's grid around the default.
    private IReadOnlyList<double> Rates => LearningRates.Of(lora ? Options.LoraLearningRate : Options.FineTuneLearningRate, lora ? LoraLearningRate : FullLearningRate);

    /// <inheritdoc/>
    public override RecipeSettings Settings(string directory) =>
        RecipeSettings.Of(Options, directory, lora ? "lora_steps" : "fine_tune_steps", Steps(Options, lora), lora ? "lora_learning_rate" : "fine_tune_learning_rate", Rates, lora);

    /// <summary>Optimizer steps of a LoRA or a full fine-tune under <paramref name="options"/>.</summary>
    internal static int Steps(LabLanguageModelOptions options, bool lora) => lora ? options.LoraSteps ?? options.FineTuneSteps : options.FineTuneSteps;

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        Train(context, Options, Name, lora, Rates, Balanced(context.Data.Train), context.Data.Validation, ct);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Fine-tunes the base model on <paramref name="train"/> as prompt → label completions (best checkpoint on
    /// <paramref name="validation"/>) and writes the tuned model (LoRA merged) to <c>model/</c> in the recipe folder.
    /// </summary>
    internal static void Train(RecipeContext context, LabLanguageModelOptions options, string name, bool lora, double learningRate,
        IEnumerable<Data.LabExample> train, IEnumerable<Data.LabExample> validation, CancellationToken ct) =>
        Train(context, options, name, lora, [learningRate], train, validation, ct);

    /// <summary>
    /// Fine-tunes the base model at each of <paramref name="rates"/> (one: no search; more: <see cref="ValidationSearch"/>
    /// on <paramref name="validation"/>, by validation accuracy) and writes the chosen model to <c>model/</c>.
    /// </summary>
    internal static void Train(RecipeContext context, LabLanguageModelOptions options, string name, bool lora, IReadOnlyList<double> rates,
        IEnumerable<Data.LabExample> train, IEnumerable<Data.LabExample> validation, CancellationToken ct)
    {
        var prompts = new LabelPrompt(Engine.Tokenizers.ModelTokenizer.Load(context.BaseModel!), options.PromptChars, Math.Max(16, options.SeqLen - 12));
        var splits = new SearchSplits(train.ToList(), validation.ToList());
        var labels = context.Data.Labels;
        // One candidate: trained in the recipe folder itself, as before the search existed; several: each in its own.
        CandidateScore Candidate(SearchSplits s, double rate, string folder, CancellationToken token)
        {
            var summary = TrainCompletions(context with { StageInputs = rates.Count == 1 ? context.StageInputs : $"{context.StageInputs};lr={rate:R}" }, options, name, lora, rate,
                s.Train.Select(e => (prompts.Prompt(e), LabelPrompt.Continuation(e.Label))), s.Validation.Select(e => (prompts.Prompt(e), LabelPrompt.Continuation(e.Label))), token, folder);
            // Accuracy on the validation split (the labels it was tuned on): settings are chosen on this number, never on the test split's.
            var accuracy = ValidationAccuracy(Path.Combine(folder, ModelDir), labels, options, s.Validation, token);
            context.Stage?.Detail = $"{summary.Steps} steps, {summary.TrainableParameters:N0} of {summary.TotalParameters:N0} parameters trained ({(double)summary.TrainableParameters / summary.TotalParameters:P1}), " +
                $"validation loss {summary.ValidationLoss:0.000} (from {summary.BaseValidationLoss:0.000}), validation accuracy {accuracy:P2}";
            return new CandidateScore(ValidationSearch.BestStep(Path.Combine(folder, "run")), summary.ValidationLoss ?? double.NaN, accuracy);
        }
        var score = rates.Count == 1 ? Candidate(splits, rates[0], context.Directory, ct) : Search(context, splits, rates, Steps(options, lora), Candidate, ct);
        if (context.Stage is { } stage)
        {
            stage.SetValue("validation_loss", score.ValidationLoss);
            stage.SetValue("validation_accuracy", score.ValidationAccuracy ?? double.NaN);
        }
    }

    /// <summary>
    /// Runs <see cref="ValidationSearch"/> over <paramref name="rates"/> and moves the chosen candidate's model to the
    /// recipe's <c>model/</c>; the chosen rate and step are recorded with the stage.
    /// </summary>
    internal static CandidateScore Search(RecipeContext context, SearchSplits splits, IReadOnlyList<double> rates, int steps,
        Func<SearchSplits, double, string, CancellationToken, CandidateScore> candidate, CancellationToken ct)
    {
        var (search, folder) = ValidationSearch.Run(context.Directory, context.StageInputs, splits, rates, steps, candidate, context.Stage is { } s ? s.Info : null, ct);
        var modelDir = Path.Combine(context.Directory, ModelDir);
        if (Directory.Exists(modelDir)) Directory.Delete(modelDir, recursive: true);
        CopyDirectory(Path.Combine(folder, ModelDir), modelDir);
        context.Stage?.SetValue("learning_rate", search.Best.LearningRate);
        context.Stage?.SetValue("best_step", search.Best.Score.BestStep);
        context.Stage?.Detail = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"searched {search.Candidates.Count} learning rates × {steps} steps on validation: {search.Best.LearningRate:G3} at step {search.Best.Score.BestStep} ({search.Metric} {(search.Best.Score.ValidationAccuracy is { } a ? a.ToString("P2", System.Globalization.CultureInfo.InvariantCulture) : search.Best.Score.ValidationLoss.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))})");
        return search.Best.Score;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    /// <summary>
    /// Fine-tunes the base model on (prompt, completion) pairs (loss on the completion only; best checkpoint on
    /// <paramref name="validation"/>) and writes the tuned model (LoRA merged) with the base's tokenizer to <c>model/</c>
    /// in the recipe folder (or <paramref name="folder"/>: a search's candidate); a run interrupted under the same stage
    /// inputs resumes from its last checkpoint.
    /// </summary>
    internal static TrainingSummary TrainCompletions(RecipeContext context, LabLanguageModelOptions options, string name, bool lora, double learningRate,
        IEnumerable<(string Prompt, string Completion)> train, IEnumerable<(string Prompt, string Completion)> validation, CancellationToken ct, string? folder = null)
    {
        var dir = folder ?? context.Directory;
        var dataDir = Directory.CreateDirectory(Path.Combine(dir, "data")).FullName;
        JsonLines.Write(Path.Combine(dataDir, "train.jsonl"), train.Select(p => new Example(p.Prompt, p.Completion)));
        JsonLines.Write(Path.Combine(dataDir, "validation.jsonl"), validation.Select(p => new Example(p.Prompt, p.Completion)));
        var runDir = Path.Combine(dir, "run");
        var resume = LanguageModelFoundation.ResumeOrReset(runDir, context.StageInputs);
        if (resume) context.Stage?.Info($"{name}: resuming training from its last checkpoint");
        var summary = TrainingRun.Run(new TrainingRunOptions
        {
            Method = lora ? TrainingMethod.Lora : TrainingMethod.Full,
            Model = context.BaseModel!,
            Data = Path.Combine(dataDir, "train.jsonl"),
            Validation = Path.Combine(dataDir, "validation.jsonl"),
            Output = runDir,
            Trainer = new TrainerOptions
            {
                Steps = Steps(options, lora), BatchSize = options.BatchSize, SeqLen = options.SeqLen, LearningRate = learningRate,
                EvalEvery = Math.Max(1, Steps(options, lora) / 4), EvalBatches = 8, CheckpointEvery = Math.Max(1, Steps(options, lora) / 5), Seed = options.Seed,
            },
            Lora = new LoraOptions { Rank = options.LoraRank, Alpha = 2.0 * options.LoraRank, Dropout = 0.05 },
        }, resume, context.Stage is null ? null : LanguageModelFoundation.Progress(context.Stage), cancellationToken: ct);
        if (summary.Stop == "interrupted") throw new OperationCanceledException(ct);

        var modelDir = Path.Combine(dir, ModelDir);
        if (Directory.Exists(modelDir)) Directory.Delete(modelDir, recursive: true);
        if (lora)
        {
            // Merged: W + scaling·B·A, so the tuned model answers exactly as fast as the base.
            using var llama = HfCheckpoint.Load(context.BaseModel!);
            PeftAdapter.Load(llama, runDir);
            AdapterMerger.Merge(llama);
            HfCheckpoint.Save(modelDir, llama);
        }
        else
        {
            Directory.CreateDirectory(modelDir);
            foreach (var f in Directory.GetFiles(runDir).Where(f => Path.GetFileName(f) is "config.json" or "generation_config.json" || Path.GetFileName(f).StartsWith("model", StringComparison.Ordinal)))
                File.Copy(f, Path.Combine(modelDir, Path.GetFileName(f)));
        }
        foreach (var f in Directory.GetFiles(context.BaseModel!).Where(f => Path.GetFileName(f).StartsWith("tokenizer", StringComparison.Ordinal) || Path.GetFileName(f) == "special_tokens_map.json"))
            File.Copy(f, Path.Combine(modelDir, Path.GetFileName(f)), overwrite: true);
        return summary;
    }

    /// <summary>Share of <paramref name="validation"/> the model in <paramref name="modelDir"/> labels as given, answering as it will on test.</summary>
    internal static double ValidationAccuracy(string modelDir, IReadOnlyList<string> labels, LabLanguageModelOptions options, IReadOnlyList<Data.LabExample> validation, CancellationToken ct)
    {
        if (validation.Count == 0) return double.NaN;
        using var scorer = new LabelScorer(modelDir, labels, options.PromptChars, Math.Max(16, options.SeqLen - 12));
        var correct = 0;
        foreach (var e in validation)
        {
            ct.ThrowIfCancellationRequested();
            if (scorer.AnswerAsync(e, ct).AsTask().GetAwaiter().GetResult().Label == e.Label) correct++;
        }
        return correct / (double)validation.Count;
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        Task.FromResult<IRecipeAnswerer>(TunedScorer(context));

    /// <summary>
    /// Every class cut to the size of the smallest, interleaved in the seeded training order: the training groups are 15%
    /// spam, and a label-likelihood model trained on them learns "always ham" first (the baseline weights its classes for
    /// the same reason). Repeating the small class instead would not work: training drops exact duplicates.
    /// </summary>
    internal static IEnumerable<Data.LabExample> Balanced(IReadOnlyList<Data.LabExample> train)
    {
        var byClass = train.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var smallest = byClass.Values.Min(l => l.Count);
        for (var i = 0; i < smallest; i++)
            foreach (var label in byClass.Keys.Order(StringComparer.Ordinal))
                yield return byClass[label][i];
    }

    private sealed record Example(string Prompt, string Completion);
}
