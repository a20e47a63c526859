using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Recipes.Retrieval;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// The extraction lab's "do you need an LLM at all?" row: the output of the most similar training input by BM25 (a
/// Lever retrieval index over the training split only), returned as it is. It is right exactly when a test input's
/// nearest training input has the same output — memory, not extraction — which is what a model has to beat.
/// </summary>
public sealed class NearestOutputRecipe : LabRecipe
{
    /// <summary>The recipe's name.</summary>
    public const string RecipeName = "baseline-nearest-output";

    /// <inheritdoc/>
    public override string Name => RecipeName;

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Baseline;

    /// <inheritdoc/>
    public override string Description => "the output of the most similar training input (Lever BM25 index), copied (no LLM)";

    /// <inheritdoc/>
    public override string Fingerprint => $"nearest-output-v1;query={TrainingEmailIndex.QueryChars}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [TrainingEmailIndex.CorpusFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) =>
        TrainingEmailIndex.BuildAsync(context.Directory, context.Data.Train, context.Stage, ct);

    /// <inheritdoc/>
    public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct) =>
        new Answerer(await TrainingEmailIndex.OpenAsync(context.Directory, context.Data.Train, ct).ConfigureAwait(false));

    private sealed class Answerer(TrainingEmailIndex index) : IRecipeAnswerer
    {
        // No neighbour at all (no shared term): the empty answer, scored as wrong.
        public ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct) =>
            ValueTask.FromResult(new LabelAnswer(index.Neighbours(example, 1) is [var best, ..] ? best.Example.Label : ""));

        public void Dispose() => index.Dispose();
    }
}
