using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Retrieval;

namespace Lever.Hosting.Evals;

/// <summary>
/// Opens the workspace's retrieval indexes as an <see cref="IRetriever"/> for eval runs. Implementations live in
/// Lever.Hosting (the adapter over Lever.Retrieval's indexes) and are found by reflection, like CLI commands:
/// adding the adapter is adding one class, with no list to edit.
/// </summary>
public interface IRetrieverSource
{
    /// <summary>A retriever over the indexes of <paramref name="workspace"/>, or null when this source has none there.</summary>
    IRetriever? Open(Workspace workspace, LeverConfig config);
}
