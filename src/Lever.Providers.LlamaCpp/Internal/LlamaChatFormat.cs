// How chat messages become a prompt for a GGUF model: the file's own template (tokenizer.chat_template) applied by
// llama.cpp (llama_chat_apply_template, which recognises the common families from the Jinja text); without one, ChatML
// when the vocabulary has <|im_start|>, Llama 3 when it has <|start_header_id|>, else Lever's plain
// "User: …\n\nAssistant:" format (the engine's default for such models) with "\nUser:" as its stop text.
using System.Text;
using LLama;

namespace Lever.Providers.LlamaCpp.Internal;

internal sealed class LlamaChatFormat
{
    private readonly LLamaWeights? _weights;
    private readonly string? _named;

    private LlamaChatFormat(string name, LLamaWeights? weights, string? named, string? stop)
    {
        Name = name;
        _weights = weights;
        _named = named;
        StopText = stop;
    }

    /// <summary>gguf (the file's template), chatml, llama3 or plain.</summary>
    public string Name { get; }

    /// <summary>A stop text the format needs beyond the end-of-generation tokens, or null.</summary>
    public string? StopText { get; }

    public static LlamaChatFormat For(LlamaCppModel model, LLamaWeights weights)
    {
        if (model.Gguf.ChatTemplate is { Length: > 0 })
        {
            var candidate = new LlamaChatFormat("gguf", weights, null, null);
            if (candidate.TryFormat([("user", "hi")]) is not null) return candidate;
        }
        if (IsSpecial(model, "<|im_start|>")) return new LlamaChatFormat("chatml", null, "chatml", null);
        if (IsSpecial(model, "<|start_header_id|>")) return new LlamaChatFormat("llama3", null, "llama3", null);
        return new LlamaChatFormat("plain", null, null, "\nUser:");
    }

    public string Format(IReadOnlyList<(string Role, string Content)> turns) =>
        TryFormat(turns) ?? throw new InvalidOperationException($"chat template {Name} failed to format the conversation");

    private string? TryFormat(IReadOnlyList<(string Role, string Content)> turns)
    {
        if (Name == "plain")
        {
            var sb = new StringBuilder();
            foreach (var (role, content) in turns)
                sb.Append(role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..]).Append(": ").Append(content).Append("\n\n");
            return sb.Append("Assistant:").ToString();
        }
        try
        {
            var template = _weights is not null ? new LLamaTemplate(_weights) : new LLamaTemplate(_named!);
            template.AddAssistant = true;
            foreach (var (role, content) in turns) template.Add(role, content);
            return Encoding.UTF8.GetString(template.Apply());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static bool IsSpecial(LlamaCppModel model, string text)
    {
        var ids = model.Tokenize(text, addSpecial: false);
        return ids.Count == 1 && model.IsControl(ids[0]);
    }
}
