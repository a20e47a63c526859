namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Prompting only: the pre-trained model, never shown a label, picks the class whose name it finds more likely after
/// the email and "Label:". The floor every other LLM recipe must beat.
/// </summary>
public sealed class ZeroShotRecipe(LabLanguageModelOptions options) : LocalModelRecipe(options)
{
    /// <inheritdoc/>
    public override string Name => "local-zero-shot";

    /// <inheritdoc/>
    public override string Lever => LeverNames.Prompt;

    /// <inheritdoc/>
    public override string Description => $"the lab's pre-trained {Options.Preset} model, label by likelihood, no examples";

    /// <inheritdoc/>
    public override string Fingerprint => $"zero-shot-v2;chars={Options.PromptChars};tokens={PromptTokens}";

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        Task.FromResult<IRecipeAnswerer>(new LabelScorer(context.BaseModel!, context.Data.Labels, Options.PromptChars, PromptTokens));
}
