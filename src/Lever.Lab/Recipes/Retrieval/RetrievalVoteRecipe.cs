using Lever.Core.Levers;
using Lever.Evals.Running;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// Retrieval alone, no language model: the <c>rag_k</c> most similar training emails from a Lever index vote (one
/// vote each; a tie goes to the class with the larger summed score). A nearest-neighbour classifier on the same
/// neighbours the retrieval few-shot recipe shows its model: it says how much of that recipe's answer the retrieval
/// itself carries. <c>rag-knn-vote</c> finds the neighbours by BM25; with an embedding model,
/// <c>rag-knn-vote-vector</c> finds them by the cosine of the emails' embeddings (semantic kNN).
/// </summary>
public sealed class RetrievalVoteRecipe(LabLanguageModelOptions options, LabEmbedding? embedding = null) : LabRecipe
{
    /// <summary>The BM25 recipe's name.</summary>
    public const string LexicalName = "rag-knn-vote";

    /// <summary>The vector recipe's name.</summary>
    public const string VectorName = "rag-knn-vote-vector";

    /// <inheritdoc/>
    public override string Name => embedding is null ? LexicalName : VectorName;

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Rag;

    /// <inheritdoc/>
    public override string Description => embedding is null
        ? $"vote of the {options.RagK} most similar training examples (Lever BM25 index), no language model"
        : $"vote of the {options.RagK} nearest training examples by embedding ({embedding.Id}, cosine), no language model";

    /// <inheritdoc/>
    public override string Fingerprint => embedding is null
        ? $"rag-knn-v1;k={options.RagK};query={TrainingEmailIndex.QueryChars}"
        : $"rag-knn-vector-v1;k={options.RagK};query={TrainingEmailIndex.QueryChars};embedding={embedding.Id}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [embedding is null ? TrainingEmailIndex.CorpusFile : TrainingEmailIndex.HeadCorpusFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) =>
        TrainingEmailIndex.BuildAsync(context.Directory, context.Data.Train, context.Stage, ct, embedding, LabDir(context));

    /// <summary>The lab's state folder (shared caches live there).</summary>
    internal static string LabDir(RecipeContext context) => Path.Combine(context.Workspace.StateDir, "lab");

    /// <inheritdoc/>
    public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var index = await TrainingEmailIndex.OpenAsync(context.Directory, context.Data.Train, ct, embedding, LabDir(context)).ConfigureAwait(false);
        // With no neighbour at all (an email with no indexed word), the training split's most frequent class.
        var fallback = context.Data.Train.GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        return new Answerer(index, options.RagK, fallback);
    }

    /// <summary>Majority of the neighbours' labels; ties by summed score, then by name (Evals' <see cref="NeighbourVote"/>, as a <c>kind: knn_vote</c> recipe votes).</summary>
    internal static string Vote(IReadOnlyList<(LabExample Example, double Score)> neighbours, string fallback) =>
        NeighbourVote.Decide(neighbours.Select(n => (n.Example.Label, n.Score)), fallback);

    private sealed class Answerer(TrainingEmailIndex index, int k, string fallback) : IRecipeAnswerer
    {
        public async ValueTask<LabelAnswer> AnswerAsync(LabExample example, CancellationToken ct) =>
            new(Vote(await index.NeighboursAsync(example, k, ct).ConfigureAwait(false), fallback));

        public void Dispose() => index.Dispose();
    }
}
