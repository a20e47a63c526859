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
    private const double LearningRate = 2e-3;

    /// <inheritdoc/>
    public override string Name => "local-lora";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.FineTuneLora;

    /// <inheritdoc/>
    public override string Description => $"LoRA r={Options.LoraRank} on every projection of the pre-trained {Options.Preset} model, {FineTuneRecipe.Steps(Options, lora: true)} steps on input → output, merged; greedy output";

    /// <inheritdoc/>
    public override string Fingerprint => $"extract-lora-v1;seq={Options.SeqLen};steps={FineTuneRecipe.Steps(Options, lora: true)};batch={Options.BatchSize};chars={Options.PromptChars};r={Options.LoraRank};seed={Options.Seed};lr={LearningRate}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [$"{FineTuneRecipe.ModelDir}/model.safetensors"];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        var tokenizer = Engine.Tokenizers.ModelTokenizer.Load(context.BaseModel!);
        var (prompts, _) = Prompts(tokenizer, context);
        var summary = FineTuneRecipe.TrainCompletions(context, Options, Name, lora: true, LearningRate,
            context.Data.Train.Select(e => (prompts.Prompt(e), OutputPrompt.Continuation(e.Label))),
            context.Data.Validation.Select(e => (prompts.Prompt(e), OutputPrompt.Continuation(e.Label))), ct);
        if (context.Stage is { } stage)
        {
            stage.SetValue("validation_loss", summary.ValidationLoss ?? double.NaN);
            stage.Detail = $"{summary.Steps} steps, {summary.TrainableParameters:N0} of {summary.TotalParameters:N0} parameters trained, " +
                $"validation loss {summary.ValidationLoss:0.000} (from {summary.BaseValidationLoss:0.000})";
        }
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
