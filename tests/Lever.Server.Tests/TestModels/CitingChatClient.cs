using Microsoft.Extensions.AI;

namespace Lever.Server.Tests.TestModels;

/// <summary>Wraps a chat client so its answers (and the first streamed update) carry <see cref="ServedCitation"/>s, as a served recipe's do.</summary>
internal static class CitingChatClient
{
    public static IChatClient AsCiting(this IChatClient inner, IReadOnlyList<ServedCitation> citations) => new Citing(inner, citations);

    private sealed class Citing(IChatClient inner, IReadOnlyList<ServedCitation> citations) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            (response.AdditionalProperties ??= [])[ServedCitation.PropertyName] = citations;
            return response;
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            bool first = true;
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                if (first) (update.AdditionalProperties ??= [])[ServedCitation.PropertyName] = citations;
                first = false;
                yield return update;
            }
        }
    }
}
