using Microsoft.Extensions.AI;

namespace Lever.Providers;

/// <summary>
/// LoRA adapters served per request on one local base in memory (the server's multi-adapter mode): each loaded adapter
/// is a chat client for base + adapter, picked by the request's model id. The engine and llama.cpp backends implement it.
/// </summary>
public interface ILocalAdapters
{
    /// <summary>Loads the adapter at <paramref name="path"/> for this base as a chat client named <paramref name="name"/>; a user error when it does not fit.</summary>
    IChatClient Load(string name, string path);

    /// <summary>Forgets the adapter behind <paramref name="chat"/> (a client <see cref="Load"/> returned).</summary>
    void Unload(IChatClient chat);
}
