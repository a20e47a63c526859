using System.ClientModel;
using System.ClientModel.Primitives;
using Lever.Core;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Lever.Providers.OpenAi;

/// <summary>
/// <c>kind: openai</c>: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, vLLM, Ollama, llama.cpp server,
/// LM Studio, <c>lever serve</c>) through Microsoft.Extensions.AI.OpenAI. The SDK's own retries are switched off so
/// that one policy (the registry's middleware, which reports what it did) owns them.
/// </summary>
public sealed class OpenAiBackend : IProviderBackend
{
    /// <summary>The kind this backend serves.</summary>
    public const string KindName = "openai";

    /// <summary>Default endpoint when <c>base_url</c> is not given.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public bool IsLocal => false;

    /// <inheritdoc />
    public bool GeneratesText => true;

    /// <inheritdoc />
    public IChatClient CreateChatClient(ProviderEntry entry) => Client(entry).GetChatClient(entry.Model).AsIChatClient();

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry) => Client(entry).GetEmbeddingClient(entry.Model).AsIEmbeddingGenerator();

    /// <inheritdoc />
    public IContinuationScorer? CreateScorer(ProviderEntry entry) => null; // chat completions return text, not the likelihood of a given continuation

    private static OpenAIClient Client(ProviderEntry entry)
    {
        var (name, options, connection) = (entry.Name, entry.Options, entry.Connection);
        var baseUrl = options.BaseUrl ?? DefaultBaseUrl;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new LeverUserException($"provider '{name}': base_url '{baseUrl}' is not an http(s) URL", $"set providers.{name}.base_url to e.g. http://127.0.0.1:8080/v1");
        string key;
        if (options.ApiKeyEnv is { Length: > 0 } variable)
        {
            key = connection.GetEnvironment(variable) is { Length: > 0 } k ? k
                : throw new LeverUserException($"provider '{name}': environment variable {variable} is not set",
                    $"export {variable}=<your key> (Lever reads keys only from the environment, never from lever.yaml)");
        }
        else
        {
            key = "no-key"; // local servers (Ollama, llama.cpp) accept any bearer token; the SDK insists on one
        }
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds > 0 ? options.TimeoutSeconds : 60),
        };
        if (connection.Handler is { } handler)
            clientOptions.Transport = new HttpClientPipelineTransport(new HttpClient(handler, disposeHandler: false));
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions);
    }
}
