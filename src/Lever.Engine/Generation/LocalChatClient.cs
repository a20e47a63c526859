// The local engine behind Microsoft.Extensions.AI's IChatClient, so evals, RAG and the server talk to a local model
// exactly as to a hosted one. Messages go through the model's chat template; usage reports prompt tokens, how many
// of them came from the prefix cache, and generated tokens.
using System.Runtime.CompilerServices;
using Lever.Engine.Tokenizers;
using Microsoft.Extensions.AI;

namespace Lever.Engine.Generation;

/// <summary>An <see cref="IChatClient"/> over a <see cref="TextGenerator"/>.</summary>
public sealed class LocalChatClient : IChatClient
{
    private readonly bool _ownsGenerator;

    /// <summary>
    /// Wraps <paramref name="generator"/>; <paramref name="modelId"/> names the model in responses. With
    /// <paramref name="adapter"/>, every request runs that LoRA adapter unmerged on the generator's shared base (the
    /// client does not own it).
    /// </summary>
    public LocalChatClient(TextGenerator generator, string modelId, ChatTemplate? template = null, bool ownsGenerator = false, Modules.LoraWeights? adapter = null)
    {
        Adapter = adapter;
        Generator = generator;
        ModelId = modelId;
        Template = template ?? generator.Tokenizer.ChatTemplate;
        _ownsGenerator = ownsGenerator;
        Metadata = new ChatClientMetadata("lever-local", null, modelId);
    }

    /// <summary>Loads the checkpoint in <paramref name="directory"/>; the client owns and disposes it.</summary>
    public static LocalChatClient Load(string directory, ChatTemplate? template = null) =>
        new(TextGenerator.Load(directory), Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))), template, ownsGenerator: true);

    /// <summary>The generator doing the work.</summary>
    public TextGenerator Generator { get; }

    /// <summary>The LoRA adapter applied unmerged to every request, or null for the base.</summary>
    public Modules.LoraWeights? Adapter { get; }

    /// <summary>Model name reported in responses.</summary>
    public string ModelId { get; }

    /// <summary>How messages become a prompt.</summary>
    public ChatTemplate Template { get; }

    /// <summary>Provider metadata.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, generation) = Prepare(messages, options);
        var result = await Generator.GenerateAsync(prompt, generation, null, cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ModelId = ModelId,
            FinishReason = result.FinishReason == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length,
            Usage = Usage(result.PromptTokens, result.CachedPromptTokens, result.OutputTokens),
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, generation) = Prepare(messages, options);
        var responseId = Guid.NewGuid().ToString("N");
        var outputTokens = 0;
        await foreach (var token in Generator.StreamAsync(prompt, generation, cancellationToken).ConfigureAwait(false))
        {
            outputTokens++;
            var update = new ChatResponseUpdate(ChatRole.Assistant, token.Text) { ResponseId = responseId, ModelId = ModelId };
            if (token.FinishReason is { } finish)
            {
                update.FinishReason = finish == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length;
                update.Contents.Add(new UsageContent(Usage(prompt.Count, token.CachedPromptTokens, outputTokens)));
            }
            yield return update;
        }
    }

    private static UsageDetails Usage(int input, int cached, int output) => new()
    {
        InputTokenCount = input,
        CachedInputTokenCount = cached,
        OutputTokenCount = output,
        TotalTokenCount = input + output,
    };

    /// <summary>The prompt tokens and generation options for a chat request.</summary>
    public (IReadOnlyList<int> Prompt, GenerationOptions Options) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = new List<ChatTurn>();
        if (options?.Instructions is { Length: > 0 } instructions) turns.Add(new ChatTurn("system", instructions));
        turns.AddRange(messages.Select(m => new ChatTurn(m.Role.Value, m.Text)));
        var tokenizer = Generator.Tokenizer;
        var text = Template.Format(turns, addGenerationPrompt: true, bos: tokenizer.BosText, eos: tokenizer.EosText);
        var prompt = tokenizer.Encode(text, addBos: !Template.StartsWithBos);

        // The template's end-of-turn marker is usually a special token: stop on its id (its text is never decoded).
        var sampling = Lever.Core.Constraints.ChatSampling.From(options);
        var stopIds = new List<int>();
        var stopTexts = new List<string>();
        foreach (var stop in sampling.StopSequences.Append(Template.StopSequence))
        {
            if (tokenizer.SpecialTokens.TryGetValue(stop, out var id)) stopIds.Add(id);
            else stopTexts.Add(stop);
        }
        var generation = new GenerationOptions
        {
            MaxTokens = sampling.MaxTokens, Temperature = sampling.Temperature, TopP = sampling.TopP, TopK = sampling.TopK, Seed = sampling.Seed,
            RepetitionPenalty = sampling.RepetitionPenalty, ResponseFormat = sampling.ResponseFormat,
            StopSequences = stopTexts, StopTokenIds = stopIds, Adapter = Adapter,
        };
        return (prompt, generation);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(Generator) ? Generator : null;
    }

    /// <summary>Disposes the generator when this client loaded it.</summary>
    public void Dispose()
    {
        if (_ownsGenerator) Generator.Dispose();
    }
}
