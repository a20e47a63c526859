using Lever.Core.Levers;
using Lever.Evals.Running;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// Retrieval alone, no language model: the <c>rag_k</c> most similar training emails from a Lever BM25 index vote
/// (one vote each; a tie goes to the class with the larger summed BM25 score). A nearest-neighbour classifier on the
/// same neighbours the retrieval few-shot recipe shows its model: it says how much of that recipe's answer the
/// retrieval itself carries.
/// </summary>
public sealed class RetrievalVoteRecipe(LabLanguageModelOptions options) : LabRecipe
{
    /// <inheritdoc/>
    public override string Name => "rag-knn-vote";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Rag;

    /// <inheritdoc/>
    public override string Description => $"vote of the {options.RagK} most similar training emails (Lever BM25 index), no language model";

    /// <inheritdoc/>
    public override string Fingerprint => $"rag-knn-v1;k={options.RagK};query={TrainingEmailIndex.QueryChars}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [TrainingEmailIndex.CorpusFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) =>
        TrainingEmailIndex.BuildAsync(context.Directory, context.Data.Train, context.Stage, ct);

    /// <inheritdoc/>
    public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var index = await TrainingEmailIndex.OpenAsync(context.Directory, context.Data.Train, ct).ConfigureAwait(false);
        // With no neighbour at all (an email with no indexed word), the training split's most frequent class.
        var fallback = context.Data.Train.GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        return new Answerer(index, options.RagK, fallback);
    }

    /// <summary>Majority of the neighbours' labels; ties by summed score, then by name (Evals' <see cref="NeighbourVote"/>, as a <c>kind: knn_vote</c> recipe votes).</summary>
    internal static string Vote(IReadOnlyList<(LabExample Example, double Score)> neighbours, string fallback) =>
        NeighbourVote.Decide(neighbours.Select(n => (n.Example.Label, n.Score)), fallback);

    private sealed class Answerer(TrainingEmailIndex index, int k, string fallback) : IRecipeAnswerer
    {
        public ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct) =>
            ValueTask.FromResult(new LabelAnswer(Vote(index.Neighbours(example, k), fallback)));

        public void Dispose() => index.Dispose();
    }
}
