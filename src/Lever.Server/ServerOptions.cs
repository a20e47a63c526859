namespace Lever.Server;

/// <summary>How <c>lever serve</c> listens and whom it lets in.</summary>
public sealed class ServerOptions
{
    /// <summary>Address to bind; loopback by default so a model is never exposed by accident.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port; 0 picks a free one (read it back from <see cref="OpenAiServer.BaseUrl"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Bearer token clients must send; null disables authentication (loopback only).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Model id reported in responses and /v1/models.</summary>
    public string ModelName { get; init; } = "lever-local";

    /// <summary>Embedding model id reported in embedding responses.</summary>
    public string EmbeddingModelName { get; init; } = "lever-embed";
}
