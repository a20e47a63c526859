using Microsoft.Extensions.AI;

namespace Lever.Providers;

/// <summary>
/// Serves one provider <c>kind:</c> (<c>openai</c>, <c>local</c>, …): turns a lever.yaml entry into the raw clients the
/// <see cref="ProviderRegistry"/> wraps in its middleware. Backends live in their own projects (the TorchSharp engine
/// in Lever.Providers.Engine) and are registered on <see cref="ProviderConnection.Backends"/>, so code that only
/// needs the abstractions never loads a native ML library.
/// </summary>
public interface IProviderBackend
{
    /// <summary>The <c>kind:</c> this backend serves.</summary>
    string Kind { get; }

    /// <summary>True when token prices do not apply: the backend runs on the user's own compute (charged by time).</summary>
    bool IsLocal { get; }

    /// <summary>True when its chat clients write free text; false for a classifier that can only answer with a label.</summary>
    bool GeneratesText { get; }

    /// <summary>The chat client for <paramref name="entry"/>, before middleware.</summary>
    IChatClient CreateChatClient(ProviderEntry entry);

    /// <summary>The embedding generator for <paramref name="entry"/> (its <c>embedding_model</c>), before middleware.</summary>
    IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry);

    /// <summary>
    /// A scorer of continuation likelihoods (label scoring, multiple choice) for <paramref name="entry"/>, or null when
    /// the backend cannot score (a chat API returns text, not the probability of a given continuation).
    /// </summary>
    IContinuationScorer? CreateScorer(ProviderEntry entry);
}
