using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;
using Lever.Providers.Classical;
using Lever.Providers.Embeddings;
using Lever.Providers.Engine;
using Lever.Providers.LlamaCpp;

namespace Lever.Cli;

/// <summary>
/// The composition root: the one place the CLI builds providers — every backend this program ships (the HTTP one and
/// the TorchSharp engine with the local MiniLM embeddings under <c>kind: local</c>, the classical classifiers, llama.cpp for GGUF files under <c>kind: llamacpp</c>), keys from the environment, relative model paths against the workspace, prices from the
/// workspace's price book.
/// </summary>
internal static class Composition
{
    /// <summary>How this program's providers reach models.</summary>
    public static ProviderConnection Connection(Workspace ws) => new() { BaseDirectory = ws.Root, Backends = LocalEmbeddingBackend.Over(EngineBackend.WithHttp.With(new ClassicalBackend())).With(new LlamaCppBackend()) };

    /// <summary>The workspace's providers (lever.yaml, plus OpenAI when only OPENAI_API_KEY is set).</summary>
    public static ProviderRegistry Providers(Workspace ws, LeverConfig? config = null)
    {
        config ??= LeverConfig.Load(ws.ConfigPath);
        return ProviderRegistry.Load(config, Connection(ws));
    }
}
