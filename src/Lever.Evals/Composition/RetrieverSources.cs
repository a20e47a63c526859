using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Composition.Internal;
using Lever.Evals.Retrieval;
using Lever.Providers;

namespace Lever.Evals.Composition;

/// <summary>Opens the workspace's retrieval indexes (<c>.lever/indexes/&lt;name&gt;</c>) as the <see cref="IRetriever"/> of eval runs.</summary>
public static class RetrieverSources
{
    /// <summary>
    /// A retriever over the indexes of <paramref name="workspace"/>, each with its lever.yaml <c>indexes.&lt;name&gt;.embedding</c>
    /// provider from <paramref name="providers"/> for hybrid search; null when the workspace has no index yet (recipes that
    /// retrieve then fail with a clear error).
    /// </summary>
    public static IRetriever? Open(Workspace workspace, LeverConfig config, ProviderRegistry providers) =>
        Directory.Exists(workspace.IndexesDir) ? new IndexRetriever(workspace, config, providers) : null;
}
