using Lever.Core;

namespace Lever.Lab.Recipes.Extraction;

/// <summary>
/// The extraction and transformation lab's recipes, in run order: the two no-model floors (nearest training output,
/// the input copied), retrieval few-shot on the lab's own model, and LoRA on it; <c>lab.recipes</c> filters them.
/// Hosted models are priced, not measured, for this task in this build.
/// </summary>
public static class ExtractionRecipes
{
    /// <summary>The recipes for <paramref name="options"/>, filtered by <c>lab.recipes</c> when set.</summary>
    public static IReadOnlyList<LabRecipe> For(LabOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<LabRecipe> all = [new NearestOutputRecipe(), new CopyInputRecipe(), new GenerativeFewShotRecipe(options.Llm), new GenerativeFineTuneRecipe(options.Llm)];
        if (options.Recipes is null) return all;
        var unknown = options.Recipes.Where(n => all.All(r => r.Name != n)).ToList();
        if (unknown.Count > 0)
            throw new LeverUserException($"lab.recipes: unknown recipe {string.Join(", ", unknown)} for an extraction lab", $"recipes of the extraction lab: {string.Join(", ", all.Select(r => r.Name))}");
        return all.Where(r => options.Recipes.Contains(r.Name)).ToList();
    }
}
