namespace Lever.Server;

/// <summary>How <c>lever serve</c> listens and whom it lets in.</summary>
public sealed class ServerOptions
{
    /// <summary>Address to bind; loopback by default so a model is never exposed by accident.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port; 0 picks a free one (read it back from <see cref="OpenAiServer.BaseUrl"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>
    /// A single bearer token (LEVER_SERVER_KEY): one identity, <c>server-key</c>, with every scope. With neither this nor
    /// <see cref="Keyring"/>, authentication is off (loopback only).
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>The identities behind API keys (lever.yaml <c>server.keys</c>); null or empty: only <see cref="ApiKey"/>, if any.</summary>
    public ServerKeyring? Keyring { get; init; }

    /// <summary>
    /// Limits on bodies, tokens, concurrency, rate, slow clients and shutdown. <c>lever serve</c> passes lever.yaml's
    /// <c>server.limits</c> (the <see cref="ServerLimits"/> defaults: rate and concurrency limited); a server built in
    /// process without limits (a stand-in upstream in tests, a benchmark) limits no rate and no concurrency.
    /// </summary>
    public ServerLimits Limits { get; init; } = new() { MaxConcurrentRequests = 0, MaxConcurrentRequestsPerKey = 0, RequestsPerMinutePerKey = 0 };

    /// <summary>Receives one line per request (identity id, method, path, status, milliseconds; never a key); null logs nothing.</summary>
    public Action<string>? AccessLog { get; init; }

    /// <summary>
    /// Model id of the single-client server (responses and /v1/models); requests naming another model get 404
    /// model_not_found. Null leaves the model unnamed: it answers whatever id a request names and lists itself as
    /// <c>lever-local</c> — a stand-in upstream for tests; <c>lever serve</c> always names its models.
    /// </summary>
    public string? ModelName { get; init; }

    /// <summary>Embedding model id; requests naming another get 404. Null: unnamed, answers any id (listed as <c>lever-embed</c>).</summary>
    public string? EmbeddingModelName { get; init; }

    /// <summary>Models that join while the server runs (fine-tuned adapters), looked up by exact id after the fixed ones; null: none.</summary>
    public IServedModelSource? MoreModels { get; init; }

    /// <summary>
    /// Loads LoRA adapters on the served base at runtime (<c>POST /v1/load_lora_adapter</c>, <c>/v1/unload_lora_adapter</c>,
    /// admin scope); null: those endpoints answer 400 (this server has no adapter base).
    /// </summary>
    public IAdapterHost? Adapters { get; init; }

    /// <summary>Called after an adapter is loaded or unloaded at runtime: event (<c>adapter_load</c>, <c>adapter_unload</c>), adapter id, its path, the caller's identity id (an audit line).</summary>
    public Action<string, string, string?, string>? AdapterAudit { get; init; }
}
