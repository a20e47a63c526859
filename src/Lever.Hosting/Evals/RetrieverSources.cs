using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Retrieval;

namespace Lever.Hosting.Evals;

/// <summary>Finds the <see cref="IRetrieverSource"/> implementations in Lever.Hosting and opens the first that serves the workspace.</summary>
public static class RetrieverSources
{
    /// <summary>The retriever for <paramref name="workspace"/>, or null when no source has one (recipes that retrieve then fail with a clear error).</summary>
    public static IRetriever? Open(Workspace workspace, LeverConfig config)
    {
        foreach (var type in typeof(IRetrieverSource).Assembly.GetTypes()
                     .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IRetrieverSource).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
                     .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (((IRetrieverSource)Activator.CreateInstance(type)!).Open(workspace, config) is { } retriever) return retriever;
        }
        return null;
    }
}
