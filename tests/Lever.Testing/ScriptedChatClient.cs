using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lever.Testing;

/// <summary>
/// A deterministic chat model for tests: a function from the conversation to an answer, optional usage, a call
/// counter and the conversations it received (to prove caching and resume skip calls), and a planted outage
/// (<see cref="FailAfter"/>). Streaming answers with one update carrying the whole text.
/// </summary>
public class ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, string> answer) : IChatClient
{
    private readonly List<IReadOnlyList<ChatMessage>> _conversations = [];
    private int _calls;

    /// <summary>The usage reported for a conversation and its answer; null (the default) reports none.</summary>
    public Func<IReadOnlyList<ChatMessage>, string, UsageDetails?> Usage { get; init; } = static (_, _) => null;

    /// <summary>Calls after this many throw <see cref="InvalidOperationException"/> ("planted outage"); counted calls include them.</summary>
    public int FailAfter { get; set; } = int.MaxValue;

    /// <summary>Calls made so far, failed ones included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Every conversation answered (or refused by the outage), in arrival order.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Conversations
    {
        get
        {
            lock (_conversations) return [.. _conversations];
        }
    }

    /// <inheritdoc />
    public virtual Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (_conversations) _conversations.Add(list);
        if (Interlocked.Increment(ref _calls) > FailAfter) throw new InvalidOperationException("planted outage");
        var text = answer(list);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = Usage(list, text) });
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var r = await GetResponseAsync(messages, options, cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, r.Text);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <inheritdoc />
    public void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Whitespace-separated words (the tests' token count).</summary>
    public static string[] Words(string? text) => (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The text of the last user turn.</summary>
    public static string LastUser(IReadOnlyList<ChatMessage> messages) => messages.Last(m => m.Role == ChatRole.User).Text;

    /// <summary>Usage as whitespace words: every turn of the prompt in, the answer out, and their total.</summary>
    public static UsageDetails WordUsage(IReadOnlyList<ChatMessage> messages, string answer)
    {
        long input = messages.Sum(m => Words(m.Text).Length), output = Words(answer).Length;
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }
}
