using Lever.Engine.Tokenizers;

namespace Lever.Training.Data;

/// <summary>A checkpoint's tokenizer and chat template (from the engine) seen through <see cref="ITrainingTokenizer"/>.</summary>
public sealed class EngineTokenizer : ITrainingTokenizer
{
    private EngineTokenizer(ModelTokenizer inner)
    {
        Inner = inner;
        EosTokenId = inner.EosId ?? throw new Core.LeverUserException("the tokenizer defines no EOS token", "set eos_token in tokenizer_config.json; packing and completions need it");
        Chat = new TemplateChatRenderer(
            (messages, addGenerationPrompt) => inner.ChatTemplate.Format(messages.Select(m => new ChatTurn(m.Role, m.Content)).ToList(), addGenerationPrompt, inner.BosText, inner.EosText),
            rendersBos: inner.ChatTemplate.StartsWithBos);
    }

    /// <summary>The engine tokenizer.</summary>
    public ModelTokenizer Inner { get; }

    /// <summary>The model's chat template as a training renderer (finds assistant spans for the loss mask).</summary>
    public IChatRenderer Chat { get; }

    /// <inheritdoc />
    public int VocabSize => Inner.VocabSize;

    /// <inheritdoc />
    public int EosTokenId { get; }

    /// <inheritdoc />
    public int? BosTokenId => Inner.AddBos ? Inner.BosId : null;

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text) => Inner.Encode(text, addBos: false);

    /// <summary>Loads the tokenizer files of the checkpoint in <paramref name="modelDirectory"/>.</summary>
    public static EngineTokenizer Load(string modelDirectory) => new(ModelTokenizer.Load(modelDirectory));
}
