using Lever.Core;
using Lever.Providers.LlamaCpp.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers.LlamaCpp;

/// <summary>
/// <c>kind: llamacpp</c>: a GGUF file (<c>model:</c>, relative to the workspace) run by llama.cpp on the CPU, with one
/// thread per core; the file is validated before llama.cpp opens it. Chat and continuation scoring; no embeddings.
/// </summary>
public sealed class LlamaCppBackend : IProviderBackend
{
    /// <summary>The kind this backend serves.</summary>
    public const string KindName = "llamacpp";

    /// <summary>True when <paramref name="model"/> names a GGUF file (ends in .gguf), which this backend serves wherever a model is named.</summary>
    public static bool IsGgufPath(string? model) => model?.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) == true;

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public bool GeneratesText => true;

    /// <inheritdoc />
    public IChatClient CreateChatClient(ProviderEntry entry) => LlamaCppChatClient.Load(File(entry));

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry) =>
        throw new LeverUserException($"provider '{entry.Name}': the llamacpp backend does not serve embeddings",
            $"remove embedding_model from providers.{entry.Name}, or use a kind: local provider for embeddings");

    /// <inheritdoc />
    public IContinuationScorer CreateScorer(ProviderEntry entry) => new LlamaCppScorer(LlamaCppModel.Load(File(entry)));

    private static string File(ProviderEntry entry)
    {
        if (entry.Options.Adapter is not null)
            throw new LeverUserException($"provider '{entry.Name}': adapters are not applied by the llamacpp backend yet",
                "merge the adapter (`lever adapter merge`) and export the merged model with `lever model export-gguf`");
        return entry.ResolvePath(entry.Model);
    }
}
