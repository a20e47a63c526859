using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Tests.TestModels;

/// <summary>
/// A deterministic chat model for tests: a function from the conversation to an answer, with usage counted as
/// whitespace tokens of the prompt and the answer, and a call counter (to prove caching and resume skip calls).
/// </summary>
internal class TextModel(Func<IReadOnlyList<ChatMessage>, string> answer) : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public virtual Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var list = messages.ToList();
        var text = answer(list);
        var input = list.Sum(m => Count(m.Text));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = Count(text), TotalTokenCount = input + Count(text) },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var r = await GetResponseAsync(messages, options, cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, r.Text);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    public static int Count(string? text) => string.IsNullOrWhiteSpace(text) ? 0 : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public static string LastUser(IReadOnlyList<ChatMessage> m) => m.Last(x => x.Role == ChatRole.User).Text;
}
