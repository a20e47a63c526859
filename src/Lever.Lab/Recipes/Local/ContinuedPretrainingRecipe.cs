using System.Globalization;
using Lever.Core.Levers;
using Lever.Lab.Internal;
using Lever.Training.Runs;
using Lever.Training.Trainer;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Continued pre-training, then the full fine-tune (Gururangan et al. 2020, "Don't Stop Pretraining": domain-adaptive
/// pre-training before task fine-tuning). The lab's base model read only the first <c>pretrain_chars</c> of each
/// training email; this recipe first continues its pre-training (Lever.Training's <c>cpt</c> method, no labels) on the
/// whole text of the same unlabeled training and validation emails — the rest of every body, text the base never saw —
/// with the base's pre-training validation text (its pre-training record) as the forgetting meter's general text, and then fine-tunes every
/// weight exactly as <c>local-full-fine-tune</c> does. The row next to the plain full fine-tune is the measured gain (or
/// the lack of it) of the extra unlabeled text.
/// </summary>
public sealed class ContinuedPretrainingRecipe(LabLanguageModelOptions options) : LocalModelRecipe(options)
{
    private const string CptDir = "cpt";

    private readonly FineTuneRecipe _fineTune = new(options, lora: false);

    /// <inheritdoc/>
    public override string Name => "local-cpt-full-fine-tune";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.ContinuedPretraining;

    /// <inheritdoc/>
    public override string Description =>
        $"the pre-trained {Options.Preset} model, {Options.CptSteps} steps of continued pre-training on the whole text of the unlabeled training texts, then every weight fine-tuned ({Options.FineTuneSteps} steps)";

    /// <inheritdoc/>
    public override string Fingerprint => $"cpt-v1;steps={Options.CptSteps};lr={CptLearningRate.ToString("R", CultureInfo.InvariantCulture)};then={_fineTune.Fingerprint}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [$"{FineTuneRecipe.ModelDir}/model.safetensors"];

    // Half the from-scratch rate: the weights are already trained, and a full-size step would undo part of that.
    private static double CptLearningRate => 5e-4;

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var cptDir = Path.Combine(context.Directory, CptDir);
        var tag = context.StageInputs + ";cpt";
        // A finished continued pre-training of these same inputs is kept when only the fine-tune was interrupted.
        var finished = File.Exists(Path.Combine(cptDir, "model.safetensors")) && File.Exists(cptDir + ".inputs") && File.ReadAllText(cptDir + ".inputs") == tag + ";done";
        if (!finished)
        {
            var dataDir = Directory.CreateDirectory(Path.Combine(context.Directory, "cpt-data")).FullName;
            JsonLines.Write(Path.Combine(dataDir, "train.jsonl"), context.Data.Train.Select(e => new TextLine(e.Text)));
            JsonLines.Write(Path.Combine(dataDir, "validation.jsonl"), context.Data.Validation.Select(e => new TextLine(e.Text)));
            var resume = LanguageModelFoundation.ResumeOrReset(cptDir, tag);
            if (resume) context.Stage?.Info($"{Name}: resuming continued pre-training from its last checkpoint");
            var summary = TrainingRun.Run(new TrainingRunOptions
            {
                Method = TrainingMethod.Cpt,
                Model = context.BaseModel!,
                Data = Path.Combine(dataDir, "train.jsonl"),
                Validation = Path.Combine(dataDir, "validation.jsonl"),
                Output = cptDir,
                Trainer = new TrainerOptions
                {
                    Steps = Options.CptSteps, BatchSize = Options.BatchSize, SeqLen = Options.SeqLen, LearningRate = CptLearningRate, WeightDecay = 0.1,
                    EvalEvery = Math.Max(1, Options.CptSteps / 4), EvalBatches = 8, CheckpointEvery = Math.Max(1, Options.CptSteps / 5), Seed = Options.Seed,
                },
            }, resume, context.Stage is null ? null : LanguageModelFoundation.Progress(context.Stage), cancellationToken: ct);
            if (summary.Stop == "interrupted") throw new OperationCanceledException(ct);
            File.WriteAllText(cptDir + ".inputs", tag + ";done");
            context.Stage?.SetValue("cpt_validation_loss", summary.ValidationLoss ?? double.NaN);
            context.Stage?.SetValue("cpt_general_loss_before", summary.GeneralLossBefore ?? double.NaN);
            context.Stage?.SetValue("cpt_general_loss_after", summary.GeneralLossAfter ?? double.NaN);
            context.Stage?.Info($"{Name}: continued pre-training {summary.Steps} steps, email validation loss {summary.ValidationLoss:0.000} (from {summary.BaseValidationLoss:0.000}), " +
                $"general text {summary.GeneralLossAfter:0.000} (from {summary.GeneralLossBefore:0.000})");
        }
        FineTuneRecipe.Train(context with { BaseModel = cptDir }, Options, Name, lora: false, FineTuneRecipe.FullLearningRate, FineTuneRecipe.Balanced(context.Data.Train), context.Data.Validation, ct);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        Task.FromResult<IRecipeAnswerer>(TunedScorer(context));

    /// <summary>A {"text"} line for continued pre-training.</summary>
    private sealed record TextLine(string Text);
}
