namespace Lever.Training.Data;

/// <summary>
/// ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>), the default when a model has no chat template.
/// The assistant's content and its closing <c>&lt;|im_end|&gt;</c> are trainable, so the model learns to stop.
/// </summary>
public sealed class ChatMlRenderer : IChatRenderer
{
    /// <summary>Shared instance (stateless).</summary>
    public static ChatMlRenderer Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<ChatSegment> Render(IReadOnlyList<TrainingMessage> messages)
    {
        var segments = new List<ChatSegment>();
        foreach (var m in messages)
        {
            if (m.Role == "assistant")
            {
                segments.Add(new ChatSegment("<|im_start|>assistant\n", false));
                segments.Add(new ChatSegment(m.Content + "<|im_end|>", true));
                segments.Add(new ChatSegment("\n", false));
            }
            else
            {
                segments.Add(new ChatSegment($"<|im_start|>{m.Role}\n{m.Content}<|im_end|>\n", false));
            }
        }
        return segments;
    }
}
