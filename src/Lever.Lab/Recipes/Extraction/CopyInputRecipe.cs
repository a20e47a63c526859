using Lever.Core.Levers;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// The identity floor of a transformation: the input returned unchanged. Its token-F1 is how much of the output the
/// input already holds, so a recipe's gain over it is what the transformation adds.
/// </summary>
public sealed class CopyInputRecipe : LabRecipe
{
    /// <inheritdoc/>
    public override string Name => "baseline-copy-input";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Baseline;

    /// <inheritdoc/>
    public override string Description => "the input returned unchanged (the identity floor; no model)";

    /// <inheritdoc/>
    public override string Fingerprint => "copy-input-v1";

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct)
    {
        context.Stage?.Start(1);
        context.Stage?.Progress(1);
        if (context.Stage is not null) context.Stage.Detail = "nothing to train";
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) => Task.FromResult<IRecipeAnswerer>(new Answerer());

    private sealed class Answerer : IRecipeAnswerer
    {
        public ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct) => ValueTask.FromResult(new LabelAnswer(example.Text.Trim()));

        public void Dispose()
        {
        }
    }
}
