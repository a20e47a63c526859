using Lever.Core;
using Lever.Providers.LlamaCpp.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers.LlamaCpp;

/// <summary>
/// <c>kind: llamacpp</c>: a GGUF file (<c>model:</c>, relative to the workspace) run by llama.cpp on the CPU, with one
/// thread per core; the file is validated before llama.cpp opens it. Chat (with a GGUF LoRA <c>adapter:</c> applied at run time) and continuation scoring; no embeddings.
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
    public IChatClient CreateChatClient(ProviderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Options.Adapter is not { } adapter) return LlamaCppChatClient.Load(File(entry));
        // adapter: a GGUF LoRA adapter applied by llama.cpp at run time (not merged), named after its file.
        var path = entry.ResolvePath(adapter);
        var model = LlamaCppModel.Load(entry.ResolvePath(entry.Model));
        try
        {
            return new LlamaCppChatClient(model, ownsModel: true, model.LoadAdapter(path, Path.GetFileNameWithoutExtension(path)));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry) =>
        throw new LeverUserException($"provider '{entry.Name}': the llamacpp backend does not serve embeddings",
            $"remove embedding_model from providers.{entry.Name}, or use a kind: local provider for embeddings");

    /// <inheritdoc />
    public IContinuationScorer CreateScorer(ProviderEntry entry) => new LlamaCppScorer(LlamaCppModel.Load(File(entry)));

    private static string File(ProviderEntry entry)
    {
        if (entry.Options.Adapter is not null)
            throw new LeverUserException($"provider '{entry.Name}': the llamacpp backend scores label likelihoods on the base model only, not with adapter:",
                "merge the adapter (`lever adapter merge`) and export the merged model with `lever model export-gguf`");
        return entry.ResolvePath(entry.Model);
    }
}
