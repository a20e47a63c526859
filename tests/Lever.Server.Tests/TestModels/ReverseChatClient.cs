using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lever.Server.Tests.TestModels;

/// <summary>
/// A deterministic model for HTTP tests: answers with the words of the last user message in reverse order,
/// counts tokens as whitespace-separated words (prompt: all messages; output: the answer), truncates to
/// MaxOutputTokens (finish reason "length"), and streams one word per chunk followed by a usage chunk.
/// </summary>
internal sealed class ReverseChatClient : IChatClient
{
    public static string[] Words(string? text) => (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public static (string[] Answer, long Input, bool Truncated) Run(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var list = messages.ToList();
        var answer = Words(list.Last(m => m.Role == ChatRole.User).Text).Reverse().ToArray();
        bool truncated = options?.MaxOutputTokens is { } max && answer.Length > max;
        if (truncated) answer = answer[..options!.MaxOutputTokens!.Value];
        return (answer, list.Sum(m => Words(m.Text).Length), truncated);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (answer, input, truncated) = Run(messages, options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Join(' ', answer)))
        {
            FinishReason = truncated ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = answer.Length, TotalTokenCount = input + answer.Length },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (answer, input, truncated) = Run(messages, options);
        for (int i = 0; i < answer.Length; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, (i == 0 ? "" : " ") + answer[i]);
        }
        yield return new ChatResponseUpdate
        {
            FinishReason = truncated ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = input, OutputTokenCount = answer.Length, TotalTokenCount = input + answer.Length })],
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
