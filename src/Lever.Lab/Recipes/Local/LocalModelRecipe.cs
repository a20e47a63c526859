namespace Lever.Lab.Recipes.Local;

/// <summary>A recipe on the lab's own pre-trained model: it answers by label likelihood and keeps every core busy.</summary>
public abstract class LocalModelRecipe(LabLanguageModelOptions options) : LabRecipe
{
    /// <summary>The language-model settings.</summary>
    protected LabLanguageModelOptions Options { get; } = options;

    /// <inheritdoc/>
    public override bool NeedsBaseModel => true;

    /// <summary>Tokens of email text in a prompt: the training sequence minus room for BOS, the cue and the label.</summary>
    protected int PromptTokens => Math.Max(16, Options.SeqLen - 12);

    /// <inheritdoc/>
    public override int TrainCores => Environment.ProcessorCount;

    /// <inheritdoc/>
    public override int AnswerCores => Environment.ProcessorCount;

    /// <inheritdoc/>
    public override bool RunsOnInferenceBackend => true;

    /// <summary>The label scorer over the tuned model a recipe wrote to <c>model/</c> in its folder, on the run's inference backend.</summary>
    private protected LabelScorer TunedScorer(RecipeContext context)
    {
        var model = Path.Combine(context.Directory, FineTuneRecipe.ModelDir);
        return new LabelScorer(model, context.Data.Labels, Options.PromptChars, PromptTokens, backend: context.ScorerFor(model));
    }
}
