// A GGUF model behind Microsoft.Extensions.AI's IChatClient, so evals, the server and lever chat talk to llama.cpp
// exactly as to any other provider. Usage reports prompt tokens, how many of them llama.cpp's KV cache already held
// (the shared prefix of consecutive requests), and generated tokens.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lever.Providers.LlamaCpp.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers.LlamaCpp;

/// <summary>An <see cref="IChatClient"/> over a <see cref="LlamaCppModel"/>.</summary>
public sealed class LlamaCppChatClient : IChatClient
{
    private readonly bool _ownsModel;
    private readonly LlamaChatFormat _format;

    /// <summary>
    /// Wraps <paramref name="model"/>; the client disposes it when <paramref name="ownsModel"/>. With
    /// <paramref name="adapter"/> (loaded into this model) every request runs with that LoRA adapter applied, and the
    /// client is named after it.
    /// </summary>
    public LlamaCppChatClient(LlamaCppModel model, bool ownsModel = false, LlamaCppAdapter? adapter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Adapter = adapter;
        _ownsModel = ownsModel;
        _format = LlamaChatFormat.For(model, model.Weights);
        ModelId = adapter?.Name ?? model.ModelId;
        Metadata = new ChatClientMetadata("lever-llamacpp", null, ModelId);
    }

    /// <summary>Validates and loads <paramref name="path"/> (a .gguf file); the client owns the model.</summary>
    public static LlamaCppChatClient Load(string path, int? threads = null) => new(LlamaCppModel.Load(path, threads), ownsModel: true);

    /// <summary>The model doing the work.</summary>
    public LlamaCppModel Model { get; }

    /// <summary>The LoRA adapter applied to every request (null: the base model).</summary>
    public LlamaCppAdapter? Adapter { get; }

    /// <summary>The model name reported in responses (the adapter's name when there is one).</summary>
    public string ModelId { get; }

    /// <summary>How messages become a prompt: <c>gguf</c> (the file's chat_template, applied by llama.cpp), <c>chatml</c>, <c>llama3</c> or <c>plain</c>.</summary>
    public string TemplateName => _format.Name;

    /// <summary>Provider metadata.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, sampling) = Prepare(messages, options);
        var result = await Task.Run(() => Model.Generate(prompt, sampling, null, cancellationToken, Adapter), cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ModelId = ModelId,
            FinishReason = result.FinishReason == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length,
            Usage = Usage(result),
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, sampling) = Prepare(messages, options);
        var responseId = Guid.NewGuid().ToString("N");
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var work = Task.Run(() =>
        {
            try
            {
                return Model.Generate(prompt, sampling, text => channel.Writer.TryWrite(text), cancellationToken, Adapter);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, cancellationToken);
        await foreach (var text in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = responseId, ModelId = ModelId };
        var result = await work.ConfigureAwait(false);
        var last = new ChatResponseUpdate(ChatRole.Assistant, "") { ResponseId = responseId, ModelId = ModelId };
        last.FinishReason = result.FinishReason == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length;
        last.Contents.Add(new UsageContent(Usage(result)));
        yield return last;
    }

    private static UsageDetails Usage(LlamaCppGeneration result) => new()
    {
        InputTokenCount = result.PromptTokens,
        CachedInputTokenCount = result.CachedPromptTokens,
        OutputTokenCount = result.OutputTokens,
        TotalTokenCount = result.PromptTokens + result.OutputTokens,
    };

    /// <summary>The prompt tokens and sampling settings for a chat request.</summary>
    public (IReadOnlyList<int> Prompt, LlamaCppSampling Sampling) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = new List<(string, string)>();
        if (options?.Instructions is { Length: > 0 } instructions) turns.Add(("system", instructions));
        turns.AddRange(messages.Select(m => (m.Role.Value, m.Text)));
        var prompt = Model.Tokenize(_format.Format(turns), addSpecial: true);
        var asked = Lever.Core.Constraints.ChatSampling.From(options);
        var sampling = new LlamaCppSampling
        {
            MaxTokens = asked.MaxTokens, Temperature = asked.Temperature, TopP = asked.TopP, TopK = asked.TopK, Seed = asked.Seed,
            RepetitionPenalty = asked.RepetitionPenalty, ResponseFormat = asked.ResponseFormat,
            StopSequences = _format.StopText is { } stop ? [.. asked.StopSequences, stop] : asked.StopSequences,
        };
        return (prompt, sampling);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(Model) ? Model : null;
    }

    /// <summary>Disposes the model when this client loaded it.</summary>
    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
