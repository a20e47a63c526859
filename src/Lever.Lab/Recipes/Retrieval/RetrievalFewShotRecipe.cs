using Lever.Core.Levers;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// Retrieval few-shot: for each email, the <c>few_shot</c> most similar labelled training emails from a Lever BM25
/// index (the top of the same <c>rag_k</c> neighbours <see cref="RetrievalVoteRecipe"/> votes with) are the examples
/// in the prompt, most similar last, each shortened and followed by its label; the lab's pre-trained model then picks
/// the label by likelihood. Same prompt shape and example count as the fixed few-shot recipe: only the choice of
/// examples differs. With an embedding model (<c>local-rag-few-shot-vector</c>) the examples are the nearest by the
/// cosine of the emails' embeddings, from the same kind of index <see cref="RetrievalVoteRecipe"/>'s vector row uses.
/// </summary>
public sealed class RetrievalFewShotRecipe(LabLanguageModelOptions options, LabEmbedding? embedding = null) : LocalModelRecipe(options)
{
    /// <summary>The BM25 recipe's name.</summary>
    public const string LexicalName = "local-rag-few-shot";

    /// <summary>The vector recipe's name.</summary>
    public const string VectorName = "local-rag-few-shot-vector";

    private const int ShotChars = 240;
    private const int ShotTokens = 80;

    /// <inheritdoc/>
    public override string Name => embedding is null ? LexicalName : VectorName;

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Rag;

    /// <inheritdoc/>
    public override string Description => $"the lab's pre-trained {Options.Preset} model, the {Options.FewShot} most similar training examples ({(embedding is null ? "Lever BM25 index" : $"by embedding, {embedding.Id}")}) as examples";

    /// <inheritdoc/>
    public override string Fingerprint =>
        $"rag-few-shot-v1;k={Options.FewShot};query={TrainingEmailIndex.QueryChars};shot_chars={ShotChars};shot_tokens={ShotTokens};chars={Options.PromptChars};tokens={PromptTokens}"
        + (embedding is null ? "" : $";vector-v1;embedding={embedding.Id}");

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [embedding is null ? TrainingEmailIndex.CorpusFile : TrainingEmailIndex.HeadCorpusFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) =>
        TrainingEmailIndex.BuildAsync(context.Directory, context.Data.Train, context.Stage, ct, embedding, RetrievalVoteRecipe.LabDir(context));

    /// <inheritdoc/>
    public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var index = await TrainingEmailIndex.OpenAsync(context.Directory, context.Data.Train, ct, embedding, RetrievalVoteRecipe.LabDir(context)).ConfigureAwait(false);
        var k = Math.Max(1, Options.FewShot);
        Func<Data.LabExample, CancellationToken, ValueTask<string>> Prefix(Engine.Tokenizers.ModelTokenizer tokenizer)
        {
            var builder = new LabelPrompt(tokenizer, ShotChars, ShotTokens);
            // Best neighbour last, next to the query.
            return async (query, token) => string.Concat((await index.NeighboursAsync(query, k, token).ConfigureAwait(false)).AsEnumerable().Reverse()
                .Select(n => builder.Prompt(n.Example) + LabelPrompt.Continuation(n.Example.Label) + "\n"));
        }
        return new Answerer(new LabelScorer(context.BaseModel!, context.Data.Labels, Options.PromptChars, PromptTokens, examplePrefix: Prefix, backend: context.ScorerFor(context.BaseModel!)), index);
    }

    private sealed class Answerer(LabelScorer scorer, TrainingEmailIndex index) : IRecipeAnswerer
    {
        public ValueTask<LabelAnswer> AnswerAsync(Data.LabExample example, CancellationToken ct) => scorer.AnswerAsync(example, ct);

        public void Dispose()
        {
            scorer.Dispose();
            index.Dispose();
        }
    }
}
