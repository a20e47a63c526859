using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Classifies by label likelihood (as lm-eval-harness scores multiple choice): the prompt is the email followed by
/// "Label:", each class name is a continuation, and the answer is the class whose tokens the model finds most likely.
/// Nothing is generated, so the answer is always a valid label.
/// </summary>
internal sealed class LabelScorer : IRecipeAnswerer
{
    private readonly TextGenerator _generator;
    private readonly IReadOnlyList<string> _labels;
    private readonly string _prefix;
    private readonly PromptBuilder _prompts;

    /// <summary>Loads the model; <paramref name="prefix"/> (few-shot examples) is built from the model's tokenizer.</summary>
    public LabelScorer(string modelDirectory, IReadOnlyList<string> labels, int promptChars, int maxPromptTokens, Func<ModelTokenizer, string>? prefix = null)
    {
        _generator = TextGenerator.Load(modelDirectory);
        _labels = labels;
        _prompts = new PromptBuilder(_generator.Tokenizer, promptChars, maxPromptTokens);
        _prefix = prefix?.Invoke(_generator.Tokenizer) ?? "";
    }

    public ValueTask<RecipeAnswer> AnswerAsync(LabExample example, CancellationToken ct)
    {
        var prompt = _prefix + _prompts.Prompt(example);
        var scores = _generator.Score(_labels.Select(l => (prompt, PromptBuilder.Continuation(l))).ToList(), batchSize: _labels.Count, ct);
        var best = 0;
        for (var i = 1; i < scores.Count; i++)
            if (scores[i].LogProbability > scores[best].LogProbability) best = i;
        return ValueTask.FromResult(new RecipeAnswer(_labels[best]));
    }

    public void Dispose() => _generator.Dispose();
}
