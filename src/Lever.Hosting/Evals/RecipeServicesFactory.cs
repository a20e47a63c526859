using Lever.Core.Config;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Lever.Evals.Running;
using Lever.Hosting.Providers;

namespace Lever.Hosting.Evals;

/// <summary>Wires a recipe to what it runs against: its provider's chat client and embedder, a judge, prices, a retriever.</summary>
public static class RecipeServicesFactory
{
    /// <summary>Builds the services of <paramref name="recipe"/> from the workspace's providers and settings.</summary>
    public static RecipeServices Create(Recipe recipe, ProviderRegistry providers, EvalsSettings settings, IRetriever? retriever = null)
    {
        var options = providers.Get(recipe.Provider);
        if (recipe.Adapter is not null)
            throw new Core.LeverUserException($"recipe '{recipe.Name}': adapter '{recipe.Adapter}' cannot be applied yet (LoRA adapters are not loadable through providers)",
                "merge the adapter into the checkpoint and point model: at the merged folder");
        return new RecipeServices
        {
            Chat = providers.Chat(recipe.Provider, recipe.Model),
            Embeddings = recipe.FewShot.Similarity == "embedding" ? providers.Embeddings(recipe.Provider) : null,
            Judge = recipe.Scoring.JudgeProvider is { } judge ? providers.Chat(judge) : null,
            DiagnosisJudge = settings.DiagnosisJudge is { } dj ? providers.Chat(dj) : null,
            Retriever = retriever,
            Prices = providers.Prices(recipe.Provider, recipe.Model),
            CachedIncludedInInput = settings.CachedTokensInInput,
            ComputePricePerHour = options.Kind == "local" ? settings.ComputePricePerHour : 0,
            EmbeddingPricePerMillion = settings.EmbeddingPricePerMillion,
            CorpusIndex = settings.CorpusIndex,
            RetrievalCostPerQuery = settings.RetrievalCostPerQuery,
        };
    }

    /// <summary>Reads lever.yaml's <c>evals:</c> section (defaults when absent).</summary>
    public static EvalsSettings Settings(LeverConfig config) => config.Section<EvalsSettings>("evals") ?? new EvalsSettings();
}
