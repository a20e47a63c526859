using Lever.Core.Levers;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>
/// Retrieval few-shot: for each email, the <c>few_shot</c> most similar labelled training emails from a Lever BM25
/// index (the top of the same <c>rag_k</c> neighbours <see cref="RetrievalVoteRecipe"/> votes with) are the examples
/// in the prompt, most similar last, each shortened and followed by its label; the lab's pre-trained model then picks
/// the label by likelihood. Same prompt shape and example count as the fixed few-shot recipe: only the choice of
/// examples differs.
/// </summary>
public sealed class RetrievalFewShotRecipe(LabLanguageModelOptions options) : LocalModelRecipe(options)
{
    private const int ShotChars = 240;
    private const int ShotTokens = 80;

    /// <inheritdoc/>
    public override string Name => "local-rag-few-shot";

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Rag;

    /// <inheritdoc/>
    public override string Description => $"the lab's pre-trained {Options.Preset} model, the {Options.FewShot} most similar training emails (Lever BM25 index) as examples";

    /// <inheritdoc/>
    public override string Fingerprint => $"rag-few-shot-v1;k={Options.FewShot};query={TrainingEmailIndex.QueryChars};shot_chars={ShotChars};shot_tokens={ShotTokens};chars={Options.PromptChars};tokens={PromptTokens}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Artifacts => [TrainingEmailIndex.CorpusFile];

    /// <inheritdoc/>
    public override Task TrainAsync(RecipeContext context, CancellationToken ct) =>
        TrainingEmailIndex.BuildAsync(context.Directory, context.Data.Train, context.Stage, ct);

    /// <inheritdoc/>
    public override async Task<IRecipeAnswerer> LoadAsync(RecipeContext context, CancellationToken ct)
    {
        var index = await TrainingEmailIndex.OpenAsync(context.Directory, context.Data.Train, ct).ConfigureAwait(false);
        var k = Math.Max(1, Options.FewShot);
        Func<Data.LabExample, string> Prefix(Engine.Tokenizers.ModelTokenizer tokenizer)
        {
            var builder = new LabelPrompt(tokenizer, ShotChars, ShotTokens);
            // Best neighbour last, next to the query.
            return query => string.Concat(index.Neighbours(query, k).AsEnumerable().Reverse().Select(n => builder.Prompt(n.Example) + LabelPrompt.Continuation(n.Example.Label) + "\n"));
        }
        return new Answerer(new LabelScorer(context.BaseModel!, context.Data.Labels, Options.PromptChars, PromptTokens, examplePrefix: Prefix), index);
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
