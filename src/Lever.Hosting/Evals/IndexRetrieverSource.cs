using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Retrieval;
using Lever.Hosting.Evals.Internal;

namespace Lever.Hosting.Evals;

/// <summary>
/// Serves eval recipes from Lever.Retrieval's indexes under the workspace's <c>.lever/indexes/&lt;name&gt;</c>, with the
/// index's embedding provider (lever.yaml <c>indexes.&lt;name&gt;.embedding</c>) for hybrid search when it has one.
/// </summary>
public sealed class IndexRetrieverSource : IRetrieverSource
{
    /// <inheritdoc />
    public IRetriever? Open(Workspace workspace, LeverConfig config) =>
        Directory.Exists(workspace.IndexesDir) ? new IndexRetriever(workspace, config) : null; // no index yet: the runner names the fix
}
