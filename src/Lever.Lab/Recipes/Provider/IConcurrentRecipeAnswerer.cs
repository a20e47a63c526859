namespace Lever.Lab.Recipes.Provider;

/// <summary>An answerer that may be called from several tasks at once (a hosted model: the wait is the network's, not the CPU's).</summary>
public interface IConcurrentRecipeAnswerer : IRecipeAnswerer
{
    /// <summary>Answers to keep in flight at once (the provider's <c>max_concurrency</c>).</summary>
    int MaxConcurrency { get; }
}
