using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Lever.Server.FineTuning;

/// <summary>
/// Today's way to serve fine-tuned adapters: each ready adapter becomes its own model id, answered by a chat client that
/// <paramref name="load"/> builds on first use (the Cli loads the base checkpoint with the adapter merged into a full
/// copy at load). Memory is one model copy per fine-tuned model in use; a multi-adapter server replaces this through
/// <see cref="IFineTunedModelHost"/>.
/// </summary>
public sealed class MergedAdapterModels(Func<FineTunedAdapter, IChatClient> load) : IFineTunedModelHost, IServedModelSource, IDisposable
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

    /// <summary>Disposes the chat clients that were loaded.</summary>
    public void Dispose()
    {
        foreach (var (_, chat) in _models.Values)
            if (chat.IsValueCreated) chat.Value.Dispose();
    }
}
