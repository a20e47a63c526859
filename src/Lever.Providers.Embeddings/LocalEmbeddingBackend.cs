using Lever.Core;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Embeddings;

/// <summary>
/// <c>kind: local</c> with <c>embedding_model: all-MiniLM-L6-v2</c>: embeddings from the local MiniLM model; chat and
/// scoring go to the local chat backend it wraps (the TorchSharp engine in the CLI), so one entry can name both
/// <c>model:</c> (a checkpoint folder) and <c>embedding_model:</c>.
/// <code>
/// providers:
///   local-embed: { kind: local, embedding_model: all-MiniLM-L6-v2 }
/// </code>
/// </summary>
public sealed class LocalEmbeddingBackend : IProviderBackend
{
    /// <summary>The kind this backend serves.</summary>
    public const string KindName = "local";

    private readonly IProviderBackend? _chat;

    /// <summary>Embeddings here; chat and scoring through <paramref name="chat"/> (null: this entry can only embed).</summary>
    public LocalEmbeddingBackend(IProviderBackend? chat = null)
    {
        if (chat is not null && chat.Kind != KindName)
            throw new ArgumentException($"the chat backend must serve kind {KindName}, not {chat.Kind}", nameof(chat));
        _chat = chat;
    }

    /// <summary>
    /// <paramref name="backends"/> with <c>kind: local</c> served by this backend over the local backend already there
    /// (if any): what a program that ships the local embedding model registers.
    /// </summary>
    public static ProviderBackends Over(ProviderBackends backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        return backends.With(new LocalEmbeddingBackend(backends.Serves(KindName) ? backends.For("(local)", KindName) : null));
    }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public bool GeneratesText => _chat?.GeneratesText ?? false;

    /// <inheritdoc />
    public IChatClient CreateChatClient(ProviderEntry entry) => (_chat ?? throw NoChat(entry)).CreateChatClient(entry);

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!MiniLmEmbeddingGenerator.Names(entry.Model))
            throw new LeverUserException($"provider '{entry.Name}': embedding_model '{entry.Model}' is not a local embedding model",
                $"set providers.{entry.Name}.embedding_model: {MiniLmEmbeddingGenerator.ModelName} (the one Lever ships), or use a kind: openai provider for '{entry.Model}'");
        return MiniLmEmbeddingGenerator.Create();
    }

    /// <inheritdoc />
    public IContinuationScorer? CreateScorer(ProviderEntry entry) => (_chat ?? throw NoChat(entry)).CreateScorer(entry);

    private static LeverUserException NoChat(ProviderEntry entry) =>
        new($"provider '{entry.Name}': this program serves only local embeddings for kind: local (no local chat engine is registered)",
            $"use providers.{entry.Name} for embeddings only, or run it with the lever CLI, which ships the engine");
}
