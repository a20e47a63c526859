// Chat templates of the common model families, written out in C# rather than interpreted from Jinja: the
// tokenizer_config.json chat_template is only inspected to recognise which family it is.
// ChatML (OpenAI; Qwen, SmolLM), Llama 3 (Meta model card), Llama 2 / Mistral [INST] (Meta, Mistral AI), plain text.
using System.Text;
using Lever.Core;

namespace Lever.Engine.Tokenizers;

/// <summary>Turns a conversation into the prompt text a model was trained on.</summary>
public sealed class ChatTemplate
{
    private ChatTemplate(string name, string stop, bool startsWithBos)
    {
        Name = name;
        StopSequence = stop;
        StartsWithBos = startsWithBos;
    }

    /// <summary>ChatML: &lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n.</summary>
    public static ChatTemplate ChatMl { get; } = new("chatml", "<|im_end|>", false);

    /// <summary>Llama 3: &lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt;.</summary>
    public static ChatTemplate Llama3 { get; } = new("llama3", "<|eot_id|>", true);

    /// <summary>Llama 2: [INST] &lt;&lt;SYS&gt;&gt; system &lt;&lt;/SYS&gt;&gt; user [/INST] answer &lt;/s&gt;.</summary>
    public static ChatTemplate Llama2 { get; } = new("llama2", "</s>", true);

    /// <summary>Mistral: like Llama 2 but the system prompt is prepended to the first user turn without &lt;&lt;SYS&gt;&gt;.</summary>
    public static ChatTemplate Mistral { get; } = new("mistral", "</s>", true);

    /// <summary>Plain text for base models: "System: …\n\nUser: …\n\nAssistant: ".</summary>
    public static ChatTemplate Plain { get; } = new("plain", "\nUser:", false);

    /// <summary>All templates by name.</summary>
    public static IReadOnlyList<ChatTemplate> All { get; } = [ChatMl, Llama3, Llama2, Mistral, Plain];

    /// <summary>Template name: chatml, llama3, llama2, mistral, plain.</summary>
    public string Name { get; }

    /// <summary>Text that ends an assistant turn; generation stops there.</summary>
    public string StopSequence { get; }

    /// <summary>True when the formatted text already begins with the BOS token, so encoding must not add another.</summary>
    public bool StartsWithBos { get; }

    /// <summary>The template called <paramref name="name"/>; an unknown name is a user error listing the known ones.</summary>
    public static ChatTemplate FromName(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new LeverUserException($"unknown chat template \"{name}\"", $"use one of: {string.Join(", ", All.Select(t => t.Name))}");

    /// <summary>Recognises the family of a Jinja chat_template from tokenizer_config.json; null when it is none of ours.</summary>
    public static ChatTemplate? Detect(string? jinja)
    {
        if (string.IsNullOrEmpty(jinja)) return null;
        if (jinja.Contains("<|im_start|>", StringComparison.Ordinal)) return ChatMl;
        if (jinja.Contains("<|start_header_id|>", StringComparison.Ordinal)) return Llama3;
        if (jinja.Contains("<<SYS>>", StringComparison.Ordinal)) return Llama2;
        if (jinja.Contains("[INST]", StringComparison.Ordinal)) return Mistral;
        return null;
    }

    /// <summary>
    /// Formats <paramref name="turns"/>; with <paramref name="addGenerationPrompt"/> it ends where the assistant's
    /// answer begins. <paramref name="bos"/>/<paramref name="eos"/> are the tokenizer's texts for those tokens.
    /// </summary>
    public string Format(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt = true, string bos = "<s>", string eos = "</s>")
    {
        ArgumentNullException.ThrowIfNull(turns);
        var sb = new StringBuilder();
        switch (Name)
        {
            case "chatml":
                foreach (var t in turns) sb.Append("<|im_start|>").Append(t.Role).Append('\n').Append(t.Content).Append("<|im_end|>\n");
                if (addGenerationPrompt) sb.Append("<|im_start|>assistant\n");
                break;
            case "llama3":
                sb.Append(bos);
                foreach (var t in turns) sb.Append("<|start_header_id|>").Append(t.Role).Append("<|end_header_id|>\n\n").Append(t.Content.Trim()).Append("<|eot_id|>");
                if (addGenerationPrompt) sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                break;
            case "llama2":
            case "mistral":
                FormatInst(sb, turns, Name == "llama2", bos, eos);
                break;
            default:
                foreach (var t in turns) sb.Append(Capitalize(t.Role)).Append(": ").Append(t.Content).Append("\n\n");
                if (addGenerationPrompt) sb.Append("Assistant:");
                break;
        }
        return sb.ToString();
    }

    private static void FormatInst(StringBuilder sb, IReadOnlyList<ChatTurn> turns, bool sysBlock, string bos, string eos)
    {
        var system = turns.FirstOrDefault(t => t.Role == "system")?.Content;
        var firstUser = true;
        foreach (var t in turns.Where(t => t.Role != "system"))
        {
            if (t.Role == "user")
            {
                var content = t.Content.Trim();
                if (firstUser && system is not null)
                    content = sysBlock ? $"<<SYS>>\n{system}\n<</SYS>>\n\n{content}" : $"{system}\n\n{content}";
                sb.Append(bos).Append("[INST] ").Append(content).Append(" [/INST]");
                firstUser = false;
            }
            else sb.Append(' ').Append(t.Content.Trim()).Append(eos);
        }
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <inheritdoc/>
    public override string ToString() => Name;
}
