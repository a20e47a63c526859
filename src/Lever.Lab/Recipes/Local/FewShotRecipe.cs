using Lever.Core.Levers;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Prompting with fixed examples: the first <c>few_shot</c> training emails in the seeded order, balanced across
/// classes and shortened, each followed by its label, then the email to classify. Scored by label likelihood,
/// optionally calibrated on content-free inputs after the same examples (Zhao et al. 2021).
/// </summary>
public sealed class FewShotRecipe(LabLanguageModelOptions options, bool calibrated = false) : LocalModelRecipe(options)
{
    private const int ShotChars = 240;
    private const int ShotTokens = 80;

    /// <inheritdoc/>
    public override string Name => calibrated ? "local-few-shot-calibrated" : "local-few-shot";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Prompt;

    /// <inheritdoc/>
    public override string Description => $"the lab's pre-trained {Options.Preset} model, {Options.FewShot} fixed labelled examples in the prompt{(calibrated ? ", calibrated on content-free inputs (Zhao et al. 2021)" : "")}";

    /// <inheritdoc/>
    public override string Fingerprint => $"few-shot-v2;{(calibrated ? "calibrated-v1;" : "")}k={Options.FewShot};shot_chars={ShotChars};shot_tokens={ShotTokens};chars={Options.PromptChars};tokens={PromptTokens}";

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var perClass = Math.Max(1, Options.FewShot / Math.Max(1, context.Data.Labels.Count));
        // Interleaved by class so the last example before the query is not always the same class.
        var shots = context.Data.Labels.SelectMany(l => context.Data.Train.Where(e => e.Label == l).Take(perClass).Select((e, i) => (e, i)))
            .OrderBy(p => p.i).ThenBy(p => p.e.Label, StringComparer.Ordinal).Select(p => p.e).ToList();
        string Prefix(Engine.Tokenizers.ModelTokenizer tokenizer)
        {
            var builder = new LabelPrompt(tokenizer, ShotChars, ShotTokens);
            return string.Concat(shots.Select(e => builder.Prompt(e) + LabelPrompt.Continuation(e.Label) + "\n"));
        }
        return Task.FromResult<IRecipeAnswerer>(new LabelScorer(context.BaseModel!, context.Data.Labels, Options.PromptChars, PromptTokens, Prefix, calibrate: calibrated, backend: context.ScorerFor(context.BaseModel!)));
    }
}
