namespace Lever.Lab.Recipes.Provider;

/// <summary>
/// A recipe that calls a hosted provider (to answer, or to label its training data). The lab runs such recipes after
/// the local ones and, when the provider fails (unreachable, key refused), skips the rest of them instead of
/// losing the local rows; answering stays resumable item by item.
/// </summary>
public interface IProviderBackedRecipe
{
    /// <summary>The provider it calls (its name under <c>providers:</c>).</summary>
    string ProviderName { get; }

    /// <summary>Test emails it answers (a seeded sample); null: every one.</summary>
    int? MaxTestItems { get; }
}
