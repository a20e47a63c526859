using Lever.Core;
using Microsoft.Extensions.AI;

namespace Lever.Providers.LlamaCpp;

/// <summary>
/// Many GGUF LoRA adapters on one llama.cpp base in memory: the base is loaded once with one context, each adapter's
/// tensors are loaded beside it (memory = base + Σ adapter files + one KV cache), and each request sets its adapter on
/// the context for its own duration. Requests are serialized on that context, as every call on a model is; switching
/// adapters empties the KV cache, so prefix reuse holds between consecutive requests of the same adapter.
/// </summary>
public sealed class LlamaCppAdapters : ILocalAdapters
{
    private readonly LlamaCppModel _model;

    private LlamaCppAdapters(LlamaCppModel model) => _model = model;

    /// <summary>The adapters of the llama.cpp model behind <paramref name="baseChat"/> (a base, not itself an adapter), or null when it is not one.</summary>
    public static LlamaCppAdapters? For(IChatClient baseChat)
    {
        ArgumentNullException.ThrowIfNull(baseChat);
        return baseChat.GetService(typeof(LlamaCppChatClient)) is LlamaCppChatClient { Adapter: null } llama ? new LlamaCppAdapters(llama.Model) : null;
    }

    /// <summary>
    /// Loads the GGUF adapter file at <paramref name="path"/> (<c>lever adapter export-gguf</c>) and returns a chat client
    /// named <paramref name="name"/> that applies it to every request.
    /// </summary>
    public IChatClient Load(string name, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new LeverUserException($"{path}: a folder, but a llama.cpp base takes GGUF adapters",
                $"convert it: lever adapter export-gguf --model BASE_CHECKPOINT --adapter {path} -o {Path.TrimEndingDirectorySeparator(path)}.gguf");
        return new LlamaCppChatClient(_model, ownsModel: false, _model.LoadAdapter(path, name));
    }

    /// <inheritdoc/>
    public void Unload(IChatClient chat)
    {
        if (chat?.GetService(typeof(LlamaCppChatClient)) is LlamaCppChatClient { Adapter: { } adapter } llama && llama.Model == _model) _model.UnloadAdapter(adapter);
    }
}
