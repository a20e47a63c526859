using Lever.Core.Levers;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// LoRA for extraction: the lab's pre-trained model fine-tuned on the training split as input → output completions
/// (loss on the output only, best checkpoint on validation; the same trainer and merge as the classification lab's
/// <see cref="FineTuneRecipe"/>), answering by greedy generation.
/// </summary>
public sealed class GenerativeFineTuneRecipe(LabLanguageModelOptions options) : LocalModelRecipe(options)
{
    // One rate when lever.yaml sets it; else the search's grid around the classification LoRA's default.
    private IReadOnlyList<double> Rates => LearningRates.Of(Options.LoraLearningRate, FineTuneRecipe.LoraLearningRate);

    /// <inheritdoc/>
    public override string Name => "local-lora";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.FineTuneLora;

    /// <inheritdoc/>
    public override string Description => $"LoRA r={Options.LoraRank} on every projection of the pre-trained {Options.Preset} model, {FineTuneRecipe.Steps(Options, lora: true)} steps on input → output, merged; greedy output";

    /// <inheritdoc/>
    public override string Fingerprint => $"extract-lora-v1;seq={Options.SeqLen};steps={FineTuneRecipe.Steps(Options, lora: true)};batch={Options.BatchSize};chars={Options.PromptChars};r={Options.LoraRank};seed={Options.Seed};lr={LearningRates.Fingerprint(Rates)}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => Rates.Count > 1 ? [$"{FineTuneRecipe.ModelDir}/model.safetensors", ValidationSearch.File] : [$"{FineTuneRecipe.ModelDir}/model.safetensors"];

    /// <inheritdoc/>
    public override RecipeSettings Settings(string directory) =>
        RecipeSettings.Of(Options, directory, "lora_steps", FineTuneRecipe.Steps(Options, lora: true), "lora_learning_rate", Rates, lora: true);

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var tokenizer = Engine.Tokenizers.ModelTokenizer.Load(context.BaseModel!);
        var (prompts, _) = Prompts(tokenizer, context);
        var rates = Rates;
        // No labels to score: candidates are compared by validation loss on the outputs (the search's fallback metric).
        CandidateScore Candidate(SearchSplits s, double rate, string folder, CancellationToken token)
        {
            var summary = FineTuneRecipe.TrainCompletions(context with { StageInputs = rates.Count == 1 ? context.StageInputs : $"{context.StageInputs};lr={rate:R}" }, Options, Name, lora: true, rate,
                s.Train.Select(e => (prompts.Prompt(e), OutputPrompt.Continuation(e.Label))),
                s.Validation.Select(e => (prompts.Prompt(e), OutputPrompt.Continuation(e.Label))), token, folder);
            if (context.Stage is { } stage)
                stage.Detail = $"{summary.Steps} steps, {summary.TrainableParameters:N0} of {summary.TotalParameters:N0} parameters trained, " +
                    $"validation loss {summary.ValidationLoss:0.000} (from {summary.BaseValidationLoss:0.000})";
            return new CandidateScore(ValidationSearch.BestStep(Path.Combine(folder, "run")), summary.ValidationLoss ?? double.NaN, null);
        }
        var splits = new SearchSplits(context.Data.Train, context.Data.Validation);
        var score = rates.Count == 1 ? Candidate(splits, rates[0], context.Directory, ct)
            : FineTuneRecipe.Search(context, splits, rates, FineTuneRecipe.Steps(Options, lora: true), Candidate, ct);
        context.Stage?.SetValue("validation_loss", score.ValidationLoss);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var modelDir = Path.Combine(context.Directory, FineTuneRecipe.ModelDir);
        var (_, (tokens, output)) = Prompts(Engine.Tokenizers.ModelTokenizer.Load(modelDir), context);
        return Task.FromResult<IRecipeAnswerer>(new OutputGenerator(modelDir, Options.PromptChars, tokens, output));
    }

    // The input gets the sequence minus the output's room, in training and answering alike.
    private (OutputPrompt Prompts, (int InputTokens, int OutputTokens)) Prompts(Engine.Tokenizers.ModelTokenizer tokenizer, RecipeContext context)
    {
        var output = OutputGenerator.OutputTokens(tokenizer, context.Data.Train, Options.SeqLen);
        var input = Math.Max(16, Options.SeqLen - output - 8);
        return (new OutputPrompt(tokenizer, Options.PromptChars, input), (input, output));
    }
}
