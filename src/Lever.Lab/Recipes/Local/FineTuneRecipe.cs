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
    public override string Fingerprint => $"{(lora ? "lora" : "full")}-v3;balanced;tokens={PromptTokens};seq={Options.SeqLen};steps={Steps(Options, lora)};batch={Options.BatchSize};chars={Options.PromptChars};r={Options.LoraRank};seed={Options.Seed};lr={LearningRate}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [$"{ModelDir}/model.safetensors"];

    /// <summary>The full fine-tune's learning rate (LoRA's adapters start at zero and take a larger one).</summary>
    internal const double FullLearningRate = 5e-4;

    private double LearningRate => lora ? 2e-3 : FullLearningRate;

    /// <summary>Optimizer steps of a LoRA or a full fine-tune under <paramref name="options"/>.</summary>
    internal static int Steps(LabLanguageModelOptions options, bool lora) => lora ? options.LoraSteps ?? options.FineTuneSteps : options.FineTuneSteps;

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        Train(context, Options, Name, lora, LearningRate, Balanced(context.Data.Train), context.Data.Validation, ct);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Fine-tunes the base model on <paramref name="train"/> as prompt → label completions (best checkpoint on
    /// <paramref name="validation"/>) and writes the tuned model (LoRA merged) to <c>model/</c> in the recipe folder.
    /// </summary>
    internal static void Train(RecipeContext context, LabLanguageModelOptions options, string name, bool lora, double learningRate,
        IEnumerable<Data.LabExample> train, IEnumerable<Data.LabExample> validation, CancellationToken ct)
    {
        var prompts = new LabelPrompt(Engine.Tokenizers.ModelTokenizer.Load(context.BaseModel!), options.PromptChars, Math.Max(16, options.SeqLen - 12));
        var summary = TrainCompletions(context, options, name, lora, learningRate,
            train.Select(e => (prompts.Prompt(e), LabelPrompt.Continuation(e.Label))), validation.Select(e => (prompts.Prompt(e), LabelPrompt.Continuation(e.Label))), ct);
        var modelDir = Path.Combine(context.Directory, ModelDir);
        // Accuracy on the validation split (the labels it was tuned on), recorded with the stage: settings are chosen on
        // this number, never on the test split's.
        var validationAccuracy = ValidationAccuracy(modelDir, context.Data.Labels, options, validation.ToList(), ct);
        if (context.Stage is { } stage)
        {
            stage.SetValue("validation_loss", summary.ValidationLoss ?? double.NaN);
            stage.SetValue("validation_accuracy", validationAccuracy);
            stage.Detail = $"{summary.Steps} steps, {summary.TrainableParameters:N0} of {summary.TotalParameters:N0} parameters trained ({(double)summary.TrainableParameters / summary.TotalParameters:P1}), " +
                $"validation loss {summary.ValidationLoss:0.000} (from {summary.BaseValidationLoss:0.000}), validation accuracy {validationAccuracy:P2}";
        }
    }

    /// <summary>
    /// Fine-tunes the base model on (prompt, completion) pairs (loss on the completion only; best checkpoint on
    /// <paramref name="validation"/>) and writes the tuned model (LoRA merged) with the base's tokenizer to <c>model/</c>
    /// in the recipe folder; a run interrupted under the same stage inputs resumes from its last checkpoint.
    /// </summary>
    internal static TrainingSummary TrainCompletions(RecipeContext context, LabLanguageModelOptions options, string name, bool lora, double learningRate,
        IEnumerable<(string Prompt, string Completion)> train, IEnumerable<(string Prompt, string Completion)> validation, CancellationToken ct)
    {
        var dir = context.Directory;
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
