using Lever.Core.Config;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Lever.Evals.Running;
using Lever.Providers;

namespace Lever.Evals.Composition;

/// <summary>Wires a recipe to what it runs against: its provider's chat client and embedder, a judge, prices, a retriever.</summary>
public static class RecipeServicesFactory
{
    /// <summary>
    /// Builds the services of <paramref name="recipe"/> from the workspace's providers and settings. A recipe's
    /// <c>adapter:</c> is applied through its provider's backend (a local model loads the PEFT adapter onto its base).
    /// </summary>
    public static RecipeServices Create(Recipe recipe, ProviderRegistry providers, EvalsSettings settings, IRetriever? retriever = null)
    {
        if (recipe.Adapter is not null)
            providers = providers.With(recipe.Provider, WithAdapter(providers.Get(recipe.Provider), recipe));
        var vote = recipe.Kind == Recipe.KnnVoteKind;
        // A kNN vote calls no model: its provider only embeds (similarity: embedding; lexical needs none), and its time is this machine's.
        var local = vote || providers.IsLocal(recipe.Provider);
        return new RecipeServices
        {
            Chat = vote ? null : providers.Chat(recipe.Provider, recipe.Model),
            Embeddings = recipe.FewShot.Similarity == "embedding" ? providers.Embeddings(recipe.Provider) : null,
            Judge = recipe.Scoring.JudgeProvider is { } judge ? providers.Chat(judge) : null,
            DiagnosisJudge = settings.DiagnosisJudge is { } dj ? providers.Chat(dj) : null,
            Retriever = retriever,
            Prices = vote ? Core.Prices.TokenPrices.Free : providers.Prices(recipe.Provider, recipe.Model),
            CachedIncludedInInput = settings.CachedTokensInInput,
            ComputePricePerHour = local ? settings.ComputePricePerHour : 0,
            EmbeddingPricePerMillion = settings.EmbeddingPricePerMillion,
            CorpusIndex = settings.CorpusIndex,
            RetrievalCostPerQuery = settings.RetrievalCostPerQuery,
        };
    }

    /// <summary>Reads lever.yaml's <c>evals:</c> section (defaults when absent).</summary>
    public static EvalsSettings Settings(LeverConfig config) => config.Section<EvalsSettings>("evals") ?? new EvalsSettings();

    private static ProviderOptions WithAdapter(ProviderOptions options, Recipe recipe)
    {
        if (options.Kind == "openai")
            throw new Core.LeverUserException($"recipe '{recipe.Name}': adapter '{recipe.Adapter}' cannot be applied to provider '{recipe.Provider}' (kind openai): a hosted endpoint serves its own fine-tuned model ids",
                "name the fine-tuned model in model: (e.g. ft:...), or use a kind: local provider for a PEFT adapter folder");
        return new ProviderOptions
        {
            Kind = options.Kind, BaseUrl = options.BaseUrl, ApiKeyEnv = options.ApiKeyEnv, Model = options.Model, EmbeddingModel = options.EmbeddingModel,
            Adapter = recipe.Adapter, PriceId = options.PriceId, TimeoutSeconds = options.TimeoutSeconds, MaxConcurrency = options.MaxConcurrency,
            MaxRetries = options.MaxRetries, Prices = options.Prices,
        };
    }
}
