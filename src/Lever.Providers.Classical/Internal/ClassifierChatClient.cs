using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Classical.Internal;

/// <summary>A classifier behind <see cref="IChatClient"/>: the reply is the label of the last user message; no tokens are used.</summary>
internal sealed class ClassifierChatClient(LogisticRegressionClassifier classifier, string modelId) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, classifier.Predict(text))) { ModelId = modelId });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        yield return new ChatResponseUpdate(ChatRole.Assistant, response.Text) { ModelId = modelId };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("lever-classical", null, modelId) : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => classifier.Dispose();
}
