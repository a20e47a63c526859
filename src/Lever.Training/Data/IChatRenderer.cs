namespace Lever.Training.Data;

/// <summary>Renders a conversation with a model's chat template, split into trainable (assistant) and context segments.</summary>
public interface IChatRenderer
{
    /// <summary>True when the rendered text already starts with the BOS token's text (so none is added).</summary>
    bool RendersBos => false;

    /// <summary>The conversation as consecutive segments whose concatenation is the full rendered text.</summary>
    IReadOnlyList<ChatSegment> Render(IReadOnlyList<TrainingMessage> messages);
}
