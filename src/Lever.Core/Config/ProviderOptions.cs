namespace Lever.Core.Config;

/// <summary>
/// One entry under <c>providers:</c> in lever.yaml: a hosted OpenAI-compatible endpoint or the local engine.
/// The API key is never in the file, only the name of the environment variable that holds it.
/// </summary>
public sealed class ProviderOptions
{
    /// <summary><c>openai</c> (any OpenAI-compatible HTTP endpoint) or <c>local</c> (Lever's engine).</summary>
    public string Kind { get; set; } = "openai";

    /// <summary>Base URL of the endpoint, for example https://api.openai.com/v1 or http://127.0.0.1:8080/v1.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Name of the environment variable that holds the API key (never the key itself).</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>Chat model id at the provider, or a local checkpoint folder.</summary>
    public string? Model { get; set; }

    /// <summary>Embedding model id, when the provider also serves embeddings.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>LoRA adapter folder applied on a local model.</summary>
    public string? Adapter { get; set; }

    /// <summary>Price-book id for cost accounting, when it differs from <see cref="Model"/>.</summary>
    public string? PriceId { get; set; }

    /// <summary>Request timeout in seconds.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>At most this many requests in flight.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries on 429 and 5xx, with exponential backoff.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Optional per-million-token prices overriding the price book.</summary>
    public ProviderPrices? Prices { get; set; }
}

/// <summary>Prices in USD per million tokens.</summary>
public sealed class ProviderPrices
{
    /// <summary>Input tokens.</summary>
    public double? InputPerMillion { get; set; }

    /// <summary>Cached input tokens (prompt-cache reads).</summary>
    public double? CachedInputPerMillion { get; set; }

    /// <summary>Output tokens.</summary>
    public double? OutputPerMillion { get; set; }
}
