using Lever.Core;
using Lever.Core.Config;
using Lever.Hosting.Providers;
using Microsoft.Extensions.AI;

namespace Lever.Hosting.Retrieval;

/// <summary>
/// Resolves the providers that retrieval commands use from lever.yaml: the chat provider that writes <c>lever ask</c>'s
/// answer and the embedding provider an index names in <c>embedding:</c>.
/// </summary>
public static class RetrievalProviders
{
    /// <summary>
    /// The chat client for <c>lever ask</c>: <paramref name="requested"/> (<c>--provider</c>) if given, else
    /// <c>ask.provider</c>, else the only provider with a chat model; null when no provider has one.
    /// Several candidates and no choice is a user error naming them.
    /// </summary>
    public static IChatClient? AskChat(LeverConfig config, ProviderRegistry registry, string? requested)
    {
        var name = requested ?? config.Section<AskSettings>("ask")?.Provider;
        if (name is not null) return registry.Chat(name);
        var chat = registry.Names.Where(n => registry.Get(n).Model is not null).Order(StringComparer.Ordinal).ToList();
        return chat.Count switch
        {
            0 => null,
            1 => registry.Chat(chat[0]),
            _ => throw new LeverUserException($"{chat.Count} chat providers are configured in {config.Path} ({string.Join(", ", chat)}) and none is chosen for ask",
                $"pass --provider {chat[0]}, or set ask: {{ provider: {chat[0]} }} in lever.yaml"),
        };
    }

    /// <summary>The embedding generator of provider <paramref name="name"/> (an index's <c>embedding:</c>); a provider without <c>embedding_model</c> is a user error.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> IndexEmbedder(ProviderRegistry registry, string name) =>
        registry.Embeddings(name) ?? throw new LeverUserException($"the index's embedding provider '{name}' has no embedding_model",
            $"set providers.{name}.embedding_model in lever.yaml, or remove the index's embedding: for a lexical-only index");
}
