using Lever.Core.Levers;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Prompting only: the pre-trained model, never shown a label, picks the class whose name it finds more likely after
/// the email and "Label:". The floor every other LLM recipe must beat. Calibrated: the label prior measured on
/// content-free inputs is divided out first (Zhao et al. 2021).
/// </summary>
public sealed class ZeroShotRecipe(LabLanguageModelOptions options, bool calibrated = false) : LocalModelRecipe(options)
{
    /// <inheritdoc/>
    public override string Name => calibrated ? "local-zero-shot-calibrated" : "local-zero-shot";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Prompt;

    /// <inheritdoc/>
    public override string Description => $"the lab's pre-trained {Options.Preset} model, label by likelihood{(calibrated ? " calibrated on content-free inputs (Zhao et al. 2021)" : "")}, no examples";

    /// <inheritdoc/>
    public override string Fingerprint => $"zero-shot-v2;{(calibrated ? "calibrated-v1;" : "")}chars={Options.PromptChars};tokens={PromptTokens}";

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        Task.FromResult<IRecipeAnswerer>(new LabelScorer(context.BaseModel!, context.Data.Labels, Options.PromptChars, PromptTokens, calibrate: calibrated, backend: context.ScorerFor(context.BaseModel!)));
}
