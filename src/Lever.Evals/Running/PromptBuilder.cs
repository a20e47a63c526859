using System.Text;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Running;

/// <summary>
/// Renders a recipe into chat messages: system prompt (labels, retrieved context), few-shot pairs as
/// user/assistant turns, then the item. Placeholders are {{labels}}, {{context}} and {{input}}.
/// </summary>
public static class PromptBuilder
{
    /// <summary>The messages for <paramref name="item"/> with <paramref name="examples"/> and <paramref name="passages"/>.</summary>
    public static List<ChatMessage> Build(Recipe recipe, EvalItem item, IReadOnlyList<EvalItem> examples, IReadOnlyList<RetrievedPassage> passages)
    {
        var context = FormatContext(passages);
        var messages = new List<ChatMessage>();
        if (recipe.SystemPrompt is { } template)
        {
            var system = Render(template, recipe, item.QueryText, context);
            if (context.Length > 0 && !template.Contains("{{context}}", StringComparison.Ordinal))
                system += "\n\nContext:\n" + context;
            messages.Add(new ChatMessage(ChatRole.System, system));
        }
        else if (context.Length > 0)
        {
            messages.Add(new ChatMessage(ChatRole.System, "Answer from the context below and cite passages as [n].\n\nContext:\n" + context));
        }
        foreach (var example in examples)
        {
            messages.Add(new ChatMessage(ChatRole.User, Render(recipe.UserTemplate, recipe, example.QueryText, "")));
            messages.Add(new ChatMessage(ChatRole.Assistant, example.ExpectedText ?? ""));
        }
        if (item.Input is { } input)
        {
            messages.Add(new ChatMessage(ChatRole.User, Render(recipe.UserTemplate, recipe, input, context)));
        }
        else
        {
            foreach (var m in item.Messages)
                messages.Add(new ChatMessage(new ChatRole(m.Role), m.Content));
        }
        return messages;
    }

    /// <summary>Passages as numbered lines, "[1] (source) text", the form citations refer to.</summary>
    public static string FormatContext(IReadOnlyList<RetrievedPassage> passages)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < passages.Count; i++)
        {
            var p = passages[i];
            sb.Append('[').Append(i + 1).Append("] ");
            if (p.Source is { Length: > 0 } s) sb.Append('(').Append(s).Append(") ");
            sb.Append(p.Text.ReplaceLineEndings(" ")).Append('\n');
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>All text the model saw, for the diagnosis' "was the fact in the context" check.</summary>
    public static string VisibleText(IEnumerable<ChatMessage> messages) => string.Join("\n", messages.Select(m => m.Text));

    private static string Render(string template, Recipe recipe, string input, string context) => template
        .Replace("{{labels}}", string.Join(", ", recipe.Parser.Labels), StringComparison.Ordinal)
        .Replace("{{context}}", context, StringComparison.Ordinal)
        .Replace("{{input}}", input, StringComparison.Ordinal);
}
