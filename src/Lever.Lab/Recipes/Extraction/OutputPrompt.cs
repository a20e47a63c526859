using Lever.Engine.Tokenizers;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// The local model's prompt for an extraction or transformation (a completion prompt, as <see cref="Local.LabelPrompt"/>
/// is for labels): the input cut to <c>chars</c> characters and then to <c>maxTokens</c> tokens, then the output cue.
/// Training, few-shot examples and answering use the same builder, so the model sees one shape.
/// </summary>
internal sealed class OutputPrompt(ModelTokenizer tokenizer, int chars, int maxTokens)
{
    public const string Cue = "\nOutput:";

    public string Prompt(LabExample example)
    {
        var text = (example.Text.Length > chars ? example.Text[..chars] : example.Text).ReplaceLineEndings(" ");
        var ids = tokenizer.Encode(text, addBos: false);
        if (ids.Count > maxTokens) text = tokenizer.Decode(ids.Take(maxTokens));
        return "Input: " + text + Cue;
    }

    /// <summary>The completion for an output: one line (generation stops at the newline).</summary>
    public static string Continuation(string output) => " " + output.ReplaceLineEndings(" ") + "\n";
}
