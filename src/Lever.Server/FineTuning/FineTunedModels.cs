using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Lever.Server.FineTuning;

/// <summary>
/// The fine-tuned models a server has: each ready adapter becomes its own model id, answered by a chat client that
/// <paramref name="load"/> builds on first use. How it is applied is the loader's choice: <c>lever serve</c> puts LoRA
/// adapters unmerged on the one base in memory when the base is a local engine model (memory = base + Σ adapters),
/// and otherwise loads the base with the adapter merged into a copy. <paramref name="release"/> frees a loaded client
/// when the server stops (default: dispose it).
/// </summary>
public sealed class FineTunedModels(Func<FineTunedAdapter, IChatClient> load, Action<IChatClient>? release = null) : IFineTunedModelHost, IServedModelSource, IDisposable
{
    private readonly ConcurrentDictionary<string, (FineTunedAdapter Adapter, Lazy<IChatClient> Chat)> _models = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <inheritdoc />
    public IReadOnlyList<string> Ids
    {
        get
        {
            lock (_order) return [.. _order];
        }
    }

    /// <inheritdoc />
    public void AdapterReady(FineTunedAdapter adapter)
    {
        if (!_models.TryAdd(adapter.ModelId, (adapter, new Lazy<IChatClient>(() => load(adapter), LazyThreadSafetyMode.ExecutionAndPublication)))) return;
        lock (_order) _order.Add(adapter.ModelId);
    }

    /// <inheritdoc />
    public ServedModel? Find(string id) =>
        _models.TryGetValue(id, out var entry) ? new ServedModel { Id = id, ChatFor = _ => entry.Chat.Value, Parent = entry.Adapter.BaseModel, Root = entry.Adapter.AdapterPath } : null;

    /// <summary>Releases the chat clients that were loaded.</summary>
    public void Dispose()
    {
        foreach (var (_, chat) in _models.Values)
            if (chat.IsValueCreated)
            {
                if (release is null) chat.Value.Dispose();
                else release(chat.Value);
            }
    }
}
