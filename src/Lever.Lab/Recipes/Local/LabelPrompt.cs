using Lever.Engine.Tokenizers;
using Lever.Lab.Data;

namespace Lever.Lab.Recipes.Local;

/// <summary>
/// Builds a local model's label-scoring prompt (a completion prompt for continuation scoring, unlike Evals' chat PromptBuilder): the email text cut to <c>chars</c> characters and then to <c>maxTokens</c> tokens
/// (some emails — non-Latin scripts, base64 leftovers — take a token per byte, so a character cap alone can overflow the
/// context), followed by the label cue. Training and answering use the same builder, so they see the same prompts.
/// </summary>
internal sealed class LabelPrompt(ModelTokenizer tokenizer, int chars, int maxTokens)
{
    public const string Cue = "\nLabel:";

    public string Prompt(LabExample example)
    {
        var text = example.Text.Length > chars ? example.Text[..chars] : example.Text;
        var ids = tokenizer.Encode(text, addBos: false);
        if (ids.Count > maxTokens) text = tokenizer.Decode(ids.Take(maxTokens));
        return text + Cue;
    }

    /// <summary>The continuation for a label.</summary>
    public static string Continuation(string label) => " " + label + "\n";
}
