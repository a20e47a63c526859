using System.ClientModel;
using System.ClientModel.Primitives;
using Lever.Core;
using Lever.Core.Config;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Lever.Hosting.Providers;

/// <summary>
/// Builds Microsoft.Extensions.AI clients for one <c>providers:</c> entry: any OpenAI-compatible endpoint (OpenAI,
/// Azure OpenAI's v1 API, vLLM, Ollama, llama.cpp server, LM Studio, <c>lever serve</c>) through
/// Microsoft.Extensions.AI.OpenAI, wrapped in <see cref="ResilientChatClient"/>. The SDK's own retries are switched
/// off so that one policy (ours, which reports what it did) owns them.
/// </summary>
public static class ProviderFactory
{
    /// <summary>Default endpoint when <c>base_url</c> is not given.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <summary>A chat client for provider <paramref name="name"/>; <paramref name="model"/> overrides its model.</summary>
    public static IChatClient CreateChatClient(string name, ProviderOptions options, ProviderConnection? connection = null, string? model = null)
    {
        connection ??= new ProviderConnection();
        var modelId = model ?? options.Model ?? throw new LeverUserException($"provider '{name}' has no model", $"set providers.{name}.model in lever.yaml, or model: in the recipe");
        IChatClient inner = options.Kind switch
        {
            "openai" => OpenAi(name, options, connection).GetChatClient(modelId).AsIChatClient(),
            "local" => LocalModel(name, options, connection, modelId),
            _ => throw UnknownKind(name, options.Kind),
        };
        var settings = ProviderSettings.From(name, options) with { Model = modelId };
        if (connection.BaseDelay is { } d) settings = settings with { BaseDelay = d };
        return new ResilientChatClient(inner, settings, connection.Ledger, connection.Delay);
    }

    /// <summary>An embedding generator for provider <paramref name="name"/> (its <c>embedding_model</c>).</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string name, ProviderOptions options, ProviderConnection? connection = null)
    {
        connection ??= new ProviderConnection();
        var modelId = options.EmbeddingModel ?? throw new LeverUserException($"provider '{name}' has no embedding model", $"set providers.{name}.embedding_model in lever.yaml");
        IEmbeddingGenerator<string, Embedding<float>> inner = options.Kind switch
        {
            "openai" => OpenAi(name, options, connection).GetEmbeddingClient(modelId).AsIEmbeddingGenerator(),
            "local" => throw new LeverUserException($"provider '{name}': the local engine does not serve embeddings yet",
                $"remove embedding_model from providers.{name}, or use few_shot.similarity: lexical"),
            _ => throw UnknownKind(name, options.Kind),
        };
        var settings = ProviderSettings.From(name, options) with { Model = modelId };
        if (connection.BaseDelay is { } d) settings = settings with { BaseDelay = d };
        return new ResilientEmbeddingGenerator(inner, settings, connection.Ledger, connection.Delay);
    }

    private static OpenAIClient OpenAi(string name, ProviderOptions options, ProviderConnection connection)
    {
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

    /// <summary>The TorchSharp engine's chat client over a checkpoint folder (Hugging Face layout).</summary>
    private static IChatClient LocalModel(string name, ProviderOptions options, ProviderConnection connection, string model)
    {
        var dir = Path.GetFullPath(model, connection.BaseDirectory);
        if (!File.Exists(Path.Combine(dir, "config.json")))
            throw new LeverUserException($"provider '{name}': {dir} is not a model folder (no config.json)",
                "point model: at a checkpoint folder (config.json, model.safetensors, tokenizer files); `lever model init` makes one");
        if (options.Adapter is null) return Lever.Engine.Generation.LocalChatClient.Load(dir);
        return LocalModelWithAdapter(name, dir, Path.GetFullPath(options.Adapter, connection.BaseDirectory));
    }

    /// <summary>
    /// Base checkpoint + a PEFT LoRA adapter, merged once at load (W + scaling·B·A, checked for non-finite values), so
    /// the adapter adds no latency per token — the same model `lever adapter merge` would write.
    /// </summary>
    private static IChatClient LocalModelWithAdapter(string name, string modelDir, string adapterDir)
    {
        if (!File.Exists(Path.Combine(adapterDir, "adapter_config.json")))
            throw new LeverUserException($"provider '{name}': {adapterDir} is not a LoRA adapter folder (no adapter_config.json)",
                "point adapter: at a folder written by `lever train --method lora|qlora` or by PEFT");
        var model = Lever.Engine.Checkpoints.HfCheckpoint.Load(modelDir);
        try
        {
            Lever.Training.Lora.PeftAdapter.Load(model, adapterDir);
            Lever.Training.Lora.AdapterMerger.Merge(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var generator = new Lever.Engine.Generation.TextGenerator(model, Lever.Engine.Tokenizers.ModelTokenizer.Load(modelDir), ownsModel: true);
        return new Lever.Engine.Generation.LocalChatClient(generator, $"{Path.GetFileName(modelDir)}+{Path.GetFileName(adapterDir)}", ownsGenerator: true);
    }

    private static LeverUserException UnknownKind(string name, string kind) => new(
        $"provider '{name}': kind '{kind}' is not supported", "use kind: openai (any OpenAI-compatible endpoint) or kind: local");
}
