using Microsoft.Extensions.AI;

namespace Lever.Providers;

/// <summary>
/// The provider middleware as Microsoft.Extensions.AI pipeline steps, so a client is built, not subclassed:
/// <c>new ChatClientBuilder(inner).UseProviderResilience(settings, ledger).Build()</c>.
/// </summary>
public static class ProviderPipeline
{
    /// <summary>Adds <see cref="ResilientChatClient"/> (concurrency gate, timeout per attempt, retries, usage ledger).</summary>
    public static ChatClientBuilder UseProviderResilience(this ChatClientBuilder builder, ProviderSettings settings, UsageLedger? ledger = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null) =>
        builder.Use(inner => new ResilientChatClient(inner, settings, ledger, delay));

    /// <summary>Adds <see cref="ResilientEmbeddingGenerator"/> (the same gate, timeout, retries and usage capture as chat).</summary>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseProviderResilience(this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        ProviderSettings settings, UsageLedger? ledger = null, Func<TimeSpan, CancellationToken, Task>? delay = null) =>
        builder.Use(inner => new ResilientEmbeddingGenerator(inner, settings, ledger, delay));
}
