using Microsoft.Extensions.AI;

namespace Lever.Lab.Qa;

/// <summary>
/// The hosted models the QA lab may use, resolved from lever.yaml by the caller (the CLI builds them from
/// <c>providers:</c>): a chat model for the hosted recipes and an embedding model for hybrid search. Either may be absent.
/// </summary>
/// <param name="ChatId">Provider and model of the chat client (<c>openai/gpt-4o-mini</c>); part of the recipes' fingerprint.</param>
/// <param name="Chat">The chat client, or null.</param>
/// <param name="InputPerMillionUsd">Its price per million input tokens.</param>
/// <param name="OutputPerMillionUsd">Its price per million output tokens.</param>
/// <param name="EmbeddingId">Provider and model of the embedding generator.</param>
/// <param name="Embedder">The embedding generator, or null.</param>
/// <param name="ChatMissing">Why there is no chat model (shown for the skipped hosted recipes).</param>
/// <param name="EmbeddingMissing">Why there is no embedding model (shown for the skipped hybrid recipes).</param>
public sealed record QaProviders(string? ChatId, IChatClient? Chat, double InputPerMillionUsd, double OutputPerMillionUsd,
    string? EmbeddingId, IEmbeddingGenerator<string, Embedding<float>>? Embedder, string ChatMissing, string EmbeddingMissing)
{
    /// <summary>No provider: the local recipes only.</summary>
    public static QaProviders None { get; } = new(null, null, 0, 0, null, null,
        "no chat provider is configured (add one under providers: in lever.yaml, or set OPENAI_API_KEY)",
        "no embedding provider is configured (set lab.qa.embedding, or the index's embedding:, to a provider with an embedding_model)");
}
