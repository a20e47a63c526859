using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lever.Server.Tests.TestModels;

/// <summary>Streams <paramref name="chunks"/> updates of 64 KiB each: more than any socket buffer holds, for a client that does not read.</summary>
internal sealed class FloodChatClient(int chunks) : IChatClient
{
    /// <summary>Updates handed to the server so far.</summary>
    public int Yielded { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("stream only");

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var text = new string('x', 64 * 1024);
        for (int i = 0; i < chunks; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            Yielded = i + 1;
            yield return new ChatResponseUpdate(ChatRole.Assistant, text);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
