using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lever.Server.Tests.TestModels;

/// <summary>
/// A model that holds its answer until <see cref="Release"/> (for in-flight requests: concurrency, shutdown), streams
/// its first word at once and then waits for the release, and records whether a call was cancelled (a client that went away).
/// </summary>
internal sealed class GatedChatClient : IChatClient
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a call has started waiting.</summary>
    public Task Entered => _entered.Task;

    /// <summary>Completes when a waiting call saw its cancellation token fire.</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>Stream this error after the first word instead of waiting (a model failing mid-stream).</summary>
    public Exception? FailMidStream { get; init; }

    public void Release() => _gate.TrySetResult();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Wait(cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, "released " + messages.Last().Text));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
        if (FailMidStream is { } error) throw error;
        await Wait(cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, " second");
    }

    private async Task Wait(CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
