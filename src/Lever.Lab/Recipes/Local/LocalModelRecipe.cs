namespace Lever.Lab.Recipes.Local;

/// <summary>A recipe on the lab's own pre-trained model: it answers by label likelihood and keeps every core busy.</summary>
public abstract class LocalModelRecipe(LabLanguageModelOptions options) : LabRecipe
{
    /// <summary>The language-model settings.</summary>
    protected LabLanguageModelOptions Options { get; } = options;

    /// <inheritdoc/>
    public override bool NeedsBaseModel => true;

    /// <inheritdoc/>
    public override int TrainCores => Environment.ProcessorCount;

    /// <inheritdoc/>
    public override int AnswerCores => Environment.ProcessorCount;
}
