using Lever.Core.Config;

namespace Lever.Providers;

/// <summary>What a backend is asked to build: one named lever.yaml provider entry, the model asked, and how to reach it.</summary>
/// <param name="Name">The entry's name under <c>providers:</c>.</param>
/// <param name="Options">The entry.</param>
/// <param name="Model">The model asked (the entry's own, or a recipe's override).</param>
/// <param name="Connection">Environment, HTTP handler and base folder.</param>
public sealed record ProviderEntry(string Name, ProviderOptions Options, string Model, ProviderConnection Connection)
{
    /// <summary>A path from lever.yaml resolved against the workspace root.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, Connection.BaseDirectory);
}
