using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using Lever.Providers.Engine.Internal;
using Lever.Training.Lora;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Engine;

/// <summary>
/// <c>kind: local</c>: Lever's TorchSharp engine over a Hugging Face checkpoint folder (<c>model:</c>), with an optional
/// PEFT LoRA adapter (<c>adapter:</c>) merged once at load (W + scaling·B·A, checked for non-finite values), so the
/// adapter adds no latency per token — the same model <c>lever adapter merge</c> would write.
/// </summary>
public sealed class EngineBackend : IProviderBackend
{
    /// <summary>The kind this backend serves.</summary>
    public const string KindName = "local";

    /// <summary>The HTTP backend plus this one: what a program that runs local models registers.</summary>
    public static ProviderBackends WithHttp { get; } = ProviderBackends.Http.With(new EngineBackend());

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public bool GeneratesText => true;

    /// <inheritdoc />
    public IChatClient CreateChatClient(ProviderEntry entry)
    {
        var dir = ModelFolder(entry);
        if (entry.Options.Adapter is null) return LocalChatClient.Load(dir);
        var generator = LoadWithAdapter(entry, dir);
        return new LocalChatClient(generator, $"{Path.GetFileName(dir)}+{Path.GetFileName(AdapterFolder(entry))}", ownsGenerator: true);
    }

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEntry entry) =>
        throw new LeverUserException($"provider '{entry.Name}': the local engine does not serve embeddings yet",
            $"remove embedding_model from providers.{entry.Name}, or use few_shot.similarity: lexical");

    /// <inheritdoc />
    public IContinuationScorer CreateScorer(ProviderEntry entry)
    {
        var dir = ModelFolder(entry);
        var generator = entry.Options.Adapter is null ? TextGenerator.Load(dir) : LoadWithAdapter(entry, dir);
        return new EngineScorer(generator, Path.GetFileName(dir));
    }

    private static string ModelFolder(ProviderEntry entry)
    {
        var dir = entry.ResolvePath(entry.Model);
        if (!File.Exists(Path.Combine(dir, "config.json")))
            throw new LeverUserException($"provider '{entry.Name}': {dir} is not a model folder (no config.json)",
                "point model: at a checkpoint folder (config.json, model.safetensors, tokenizer files); `lever model init` makes one");
        return dir;
    }

    private static string AdapterFolder(ProviderEntry entry) => entry.ResolvePath(entry.Options.Adapter!);

    private static TextGenerator LoadWithAdapter(ProviderEntry entry, string modelDir)
    {
        var adapterDir = AdapterFolder(entry);
        if (!File.Exists(Path.Combine(adapterDir, "adapter_config.json")))
            throw new LeverUserException($"provider '{entry.Name}': {adapterDir} is not a LoRA adapter folder (no adapter_config.json)",
                "point adapter: at a folder written by `lever train --method lora|qlora` or by PEFT");
        var model = HfCheckpoint.Load(modelDir);
        try
        {
            PeftAdapter.Load(model, adapterDir);
            AdapterMerger.Merge(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new TextGenerator(model, ModelTokenizer.Load(modelDir), ownsModel: true);
    }
}
