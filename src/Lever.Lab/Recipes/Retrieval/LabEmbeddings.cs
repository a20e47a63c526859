using Lever.Core;
using Lever.Core.Config;
using Lever.Providers;

namespace Lever.Lab.Recipes.Retrieval;

/// <summary>Which embedding model the lab's vector retrieval recipes use: <c>lab.embedding</c> (<see cref="LabOptions.Embedding"/>).</summary>
public static class LabEmbeddings
{
    /// <summary>The value of <c>lab.embedding</c> that turns the vector rows off.</summary>
    public const string None = "none";

    /// <summary>The value of <c>lab.embedding</c> that asks for the built-in local model (also the default).</summary>
    public const string Local = "local";

    /// <summary>
    /// The embedding model for <paramref name="lab"/>: null for <c>none</c>, and when unset and this program has no
    /// local embedding model (<paramref name="connection"/>'s backends); the named provider's <c>embedding_model</c>;
    /// else the local all-MiniLM-L6-v2. Naming <c>local</c> where there is none, or a provider without an embedding
    /// model, is a user error.
    /// </summary>
    public static LabEmbedding? Resolve(Workspace workspace, LabOptions lab, ProviderConnection? connection)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(lab);
        var wanted = lab.Embedding?.Trim();
        if (string.Equals(wanted, None, StringComparison.OrdinalIgnoreCase)) return null;
        connection ??= new ProviderConnection { BaseDirectory = workspace.Root };
        var registry = File.Exists(workspace.ConfigPath)
            ? ProviderRegistry.Load(LeverConfig.Load(workspace.ConfigPath), connection)
            : new ProviderRegistry(new Dictionary<string, ProviderOptions>(), workspace.ConfigPath, connection);
        var implicitLocal = string.IsNullOrEmpty(wanted);
        if (implicitLocal || string.Equals(wanted, Local, StringComparison.OrdinalIgnoreCase))
        {
            Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? local;
            try
            {
                local = registry.LocalEmbeddings();
            }
            catch (LeverUserException) when (implicitLocal)
            {
                // Only an engine that cannot embed: no vector rows unless asked for.
                return null;
            }
            if (local is not null) return new LabEmbedding($"{Local}/{ProviderRegistry.DefaultLocalEmbeddingModel}", local);
            if (implicitLocal) return null;
            throw new LeverUserException($"{workspace.ConfigPath}: lab.embedding: local, but this build has no local embedding model",
                "name a provider with an embedding_model, or set lab.embedding: none");
        }
        var generator = registry.RequireEmbeddings(wanted!, "lab.embedding");
        return new LabEmbedding($"{wanted}/{registry.Get(wanted!).EmbeddingModel}", generator);
    }
}
