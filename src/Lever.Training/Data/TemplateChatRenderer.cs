namespace Lever.Training.Data;

/// <summary>
/// Adapts any chat template given as a render function (messages, add_generation_prompt) to training segments:
/// an assistant turn is what rendering it adds after the prompt that asks for it. This is how the loss mask is
/// found without knowing the template's markup, so it works for every model's template.
/// </summary>
public sealed class TemplateChatRenderer(Func<IReadOnlyList<TrainingMessage>, bool, string> render, bool rendersBos = false) : IChatRenderer
{
    /// <inheritdoc />
    public bool RendersBos => rendersBos;

    /// <inheritdoc />
    public IReadOnlyList<ChatSegment> Render(IReadOnlyList<TrainingMessage> messages)
    {
        var segments = new List<ChatSegment>();
        var done = "";
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role != "assistant") continue;
            var prompt = render(messages.Take(i).ToList(), true);
            var withAnswer = render(messages.Take(i + 1).ToList(), false);
            if (!prompt.StartsWith(done, StringComparison.Ordinal) || !withAnswer.StartsWith(prompt, StringComparison.Ordinal))
                throw new InvalidOperationException("the chat template does not render conversations as prefixes of each other; cannot locate assistant turns");
            segments.Add(new ChatSegment(prompt[done.Length..], false));
            segments.Add(new ChatSegment(withAnswer[prompt.Length..], true));
            done = withAnswer;
        }
        var full = render(messages, false);
        if (!full.StartsWith(done, StringComparison.Ordinal))
            throw new InvalidOperationException("the chat template does not render conversations as prefixes of each other; cannot locate assistant turns");
        if (full.Length > done.Length) segments.Add(new ChatSegment(full[done.Length..], false));
        return segments.Where(s => s.Text.Length > 0).ToList();
    }
}
