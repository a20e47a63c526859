using Lever.Core;
using Lever.Engine.Generation;
using Lever.Training.Lora;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Engine;

/// <summary>
/// Many LoRA adapters on one local base in memory: each adapter is read into its own low-rank factors and applied
/// unmerged, per request, on the base's shared weights (memory = base + Σ adapters), and concurrent requests — for the
/// base or any adapter — are decoded together in batches of up to <see cref="MaxBatchSize"/> rows.
/// </summary>
public sealed class EngineAdapters : ILocalAdapters
{
    private readonly TextGenerator _generator;

    private EngineAdapters(TextGenerator generator) => _generator = generator;

    /// <summary>The adapters of the local engine behind <paramref name="baseChat"/> (a <c>kind: local</c> chat client), or null when it is not one.</summary>
    public static EngineAdapters? For(IChatClient baseChat)
    {
        ArgumentNullException.ThrowIfNull(baseChat);
        return baseChat.GetService(typeof(LocalChatClient)) is LocalChatClient { Adapter: null } local ? new EngineAdapters(local.Generator) : null;
    }

    /// <summary>Most concurrent requests decoded as one batch (1: one at a time).</summary>
    public int MaxBatchSize
    {
        get => _generator.MaxBatchSize;
        set => _generator.MaxBatchSize = Math.Max(1, value);
    }

    /// <summary>
    /// Reads the PEFT adapter in <paramref name="directory"/> for this base and returns a chat client named
    /// <paramref name="name"/> that applies it; a folder that is not an adapter for this base is a one-line user error.
    /// </summary>
    public IChatClient Load(string name, string directory)
    {
        if (!Directory.Exists(directory))
            throw new LeverUserException($"{directory}: not a directory", "give the folder of a LoRA adapter (adapter_config.json, adapter_model.safetensors), e.g. one written by lever train --method lora");
        var weights = PeftAdapter.LoadUnmerged(_generator.Model, directory, name);
        return new LocalChatClient(_generator, name, adapter: weights);
    }

    /// <summary>Bytes of the adapter factors behind <paramref name="chat"/> (0 for the base).</summary>
    public static long Bytes(IChatClient chat) =>
        chat?.GetService(typeof(LocalChatClient)) is LocalChatClient { Adapter: { } a } ? a.Bytes : 0;

    /// <summary>
    /// Forgets the adapter behind <paramref name="chat"/>: its prefix-cache entries are dropped at once; its factors are
    /// freed by the garbage collector once no running request holds them (they are not disposed under a running batch).
    /// </summary>
    public void Unload(IChatClient chat)
    {
        if (chat?.GetService(typeof(LocalChatClient)) is LocalChatClient { Adapter: { } a }) _generator.PrefixCache.Remove(a);
    }
}
