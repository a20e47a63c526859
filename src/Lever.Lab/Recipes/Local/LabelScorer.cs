using Lever.Engine.Generation;
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
    private readonly int _promptChars;

    public LabelScorer(string modelDirectory, IReadOnlyList<string> labels, int promptChars, string prefix = "")
    {
        _generator = TextGenerator.Load(modelDirectory);
        _labels = labels;
        _promptChars = promptChars;
        _prefix = prefix;
    }

    /// <summary>The prompt for one email: its text cut to <paramref name="chars"/>, then the label cue.</summary>
    public static string Prompt(LabExample example, int chars) =>
        (example.Text.Length > chars ? example.Text[..chars] : example.Text) + "\nLabel:";

    /// <summary>The continuation for a label.</summary>
    public static string Continuation(string label) => " " + label + "\n";

    public ValueTask<RecipeAnswer> AnswerAsync(LabExample example, CancellationToken ct)
    {
        var prompt = _prefix + Prompt(example, _promptChars);
        var scores = _generator.Score(_labels.Select(l => (prompt, Continuation(l))).ToList(), batchSize: _labels.Count, ct);
        var best = 0;
        for (var i = 1; i < scores.Count; i++)
            if (scores[i].LogProbability > scores[best].LogProbability) best = i;
        return ValueTask.FromResult(new RecipeAnswer(_labels[best]));
    }

    public void Dispose() => _generator.Dispose();
}
