using Lever.Core.Levers;
using Lever.Lab.Recipes.Local;
using Lever.Lab.Recipes.Retrieval;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// Retrieval few-shot for extraction: the <c>few_shot</c> most similar training inputs (Lever BM25 index over the
/// training split) with their outputs are the examples, most similar last, then the test input; the lab's pre-trained
/// model writes the output greedily (<see cref="OutputGenerator"/>).
/// </summary>
public sealed class GenerativeFewShotRecipe(LabLanguageModelOptions options) : LocalModelRecipe(options)
{
    private const int ShotChars = 240;
    private const int ShotTokens = 64;

    /// <inheritdoc/>
    public override string Name => RetrievalFewShotRecipe.LexicalName;

    /// <inheritdoc/>
    public override LeverKind Lever => LeverKind.Rag;

    /// <inheritdoc/>
    public override string Description => $"the lab's pre-trained {Options.Preset} model writes the output, the {Options.FewShot} most similar training examples (Lever BM25 index) in its prompt";

    /// <inheritdoc/>
    public override string Fingerprint => $"extract-rag-few-shot-v1;k={Options.FewShot};shot_chars={ShotChars};shot_tokens={ShotTokens};chars={Options.PromptChars};seq={Options.SeqLen}";

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
        var tokenizer = Engine.Tokenizers.ModelTokenizer.Load(context.BaseModel!);
        var output = OutputGenerator.OutputTokens(tokenizer, context.Data.Train, Options.SeqLen);
        // The examples take k × (shot + output) tokens; the query's input gets what is left of the sequence.
        var inputTokens = Math.Max(16, Options.SeqLen - output - k * (ShotTokens + output + 4) - 8);
        Func<Data.LabExample, CancellationToken, ValueTask<string>> Prefix(Engine.Tokenizers.ModelTokenizer t)
        {
            var shots = new OutputPrompt(t, ShotChars, ShotTokens);
            return (query, _) => ValueTask.FromResult(string.Concat(index.Neighbours(query, k).AsEnumerable().Reverse()
                .Select(n => shots.Prompt(n.Example) + OutputPrompt.Continuation(n.Example.Label))));
        }
        return new Answerer(new OutputGenerator(context.BaseModel!, Options.PromptChars, inputTokens, output, Prefix), index);
    }

    private sealed class Answerer(OutputGenerator generator, TrainingEmailIndex index) : IRecipeAnswerer
    {
        public ValueTask<LabelAnswer> AnswerAsync(Data.LabExample example, CancellationToken ct) => generator.AnswerAsync(example, ct);

        public void Dispose()
        {
            generator.Dispose();
            index.Dispose();
        }
    }
}
