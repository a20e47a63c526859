using Microsoft.Extensions.AI;

namespace Lever.Server;

/// <summary>
/// One model id the server answers for: a provider's model, or a recipe (a RAG recipe with its index, a prompt
/// template, a fine-tuned model) composed outside the server. The server asks <see cref="ChatFor"/> for the chat
/// client of each request with the caller's identity — the only way who-is-asking reaches retrieval; nothing the
/// client sends does. A model that <see cref="Cites"/> returns <see cref="ServedCitation"/>s and needs the
/// <see cref="ServerScope.Retrieval"/> scope.
/// </summary>
public sealed class ServedModel
{
    /// <summary>The model id clients send (and /v1/models lists).</summary>
    public required string Id { get; init; }

    /// <summary>The chat client answering one request of the given caller; the catalogue owns it (the server never disposes it).</summary>
    public required Func<ServerIdentity, IChatClient> ChatFor { get; init; }

    /// <summary>True when answers retrieve and carry citations; callers then need the retrieval scope.</summary>
    public bool Cites { get; init; }

    /// <summary>For a LoRA adapter, the id of the served base it runs on (/v1/models' <c>parent</c>, as vLLM lists adapters); null otherwise.</summary>
    public string? Parent { get; init; }

    /// <summary>Where the weights come from (/v1/models' <c>root</c>: a model or adapter folder, or a registry reference); null lists the id.</summary>
    public string? Root { get; init; }

    /// <summary>A model answered by one shared chat client, whoever calls.</summary>
    public static ServedModel Of(string id, IChatClient chat) => new() { Id = id, ChatFor = _ => chat };
}
