using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Recipes;
using Lever.Hosting.Evals;
using Lever.Hosting.Providers;

namespace Lever.Hosting.Tests;

public class ProviderRegistryTests
{
    private const string Yaml = """
        providers:
          hosted:
            kind: openai
            base_url: http://127.0.0.1:9/v1
            api_key_env: LEVER_TEST_HOSTED_KEY
            model: gpt-4o-mini
            prices:
              input_per_million: 0.15
              cached_input_per_million: 0.075
              output_per_million: 0.6
          nokey:
            base_url: http://127.0.0.1:9/v1
            model: llama
        evals:
          compute_price_per_hour: 1.5
          corpus_index: docs
        """;

    [Fact]
    public void Providers_and_prices_come_from_lever_yaml_and_keys_only_from_the_environment()
    {
        var config = LeverConfig.Parse("lever.yaml", Yaml);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = _ => null });
        Assert.Equal(["hosted", "nokey"], registry.Names.Order());
        Assert.Equal(new Lever.Evals.Cost.TokenPrices(0.15, 0.075, 0.6), registry.Prices("hosted"));

        var missing = Assert.Throws<LeverUserException>(() => registry.Chat("hosted"));
        Assert.Contains("environment variable LEVER_TEST_HOSTED_KEY is not set", missing.Message);
        Assert.Contains("export LEVER_TEST_HOSTED_KEY", missing.Hint);

        using var client = registry.Chat("nokey"); // a local server needs no key
        Assert.IsType<ResilientChatClient>(client);

        var unknown = Assert.Throws<LeverUserException>(() => registry.Get("nope"));
        Assert.Contains("known providers: hosted, nokey", unknown.Hint);
    }

    [Fact]
    public void Recipe_services_take_prices_judge_and_settings_from_the_workspace()
    {
        var config = LeverConfig.Parse("lever.yaml", Yaml);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = n => n == "LEVER_TEST_HOSTED_KEY" ? "k" : null });
        var settings = RecipeServicesFactory.Settings(config);
        var recipe = new Recipe { Provider = "hosted", Scoring = new ScoringOptions { JudgeProvider = "nokey" } };
        var services = RecipeServicesFactory.Create(recipe, registry, settings);
        Assert.Equal(0.15, services.Prices.InputPerMillion);
        Assert.NotNull(services.Judge);
        Assert.Equal("docs", services.CorpusIndex);
        Assert.Equal(0, services.ComputePricePerHour); // compute time is charged only for local models
    }

    [Fact]
    public void A_bad_base_url_is_named_with_its_provider()
    {
        var ex = Assert.Throws<LeverUserException>(() => ProviderFactory.CreateChatClient("x", new ProviderOptions { BaseUrl = "localhost:8080", Model = "m" }));
        Assert.Contains("provider 'x': base_url 'localhost:8080' is not an http(s) URL", ex.Message);
    }

    [Fact]
    public void A_workspace_without_indexes_has_no_retriever()
    {
        var dir = Directory.CreateTempSubdirectory("lever-hosting-").FullName;
        try
        {
            Assert.Null(RetrieverSources.Open(Workspace.Open(dir), LeverConfig.Empty));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
