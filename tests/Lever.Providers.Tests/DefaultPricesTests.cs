using Lever.Core.Config;
using Lever.Core.Prices;
using Lever.Providers;

namespace Lever.Providers.Tests;

/// <summary>A provider without <c>prices:</c> is priced from the advisor's price book by its price_id or model.</summary>
public class DefaultPricesTests
{
    private const string Yaml = """
        providers:
          mini:
            model: gpt-4o-mini
          deployment:
            base_url: http://127.0.0.1:9/v1
            model: my-azure-deployment
            price_id: gpt-4.1-mini
          tuned:
            model: ft:gpt-4o-mini
          stated:
            model: gpt-4o-mini
            prices:
              input_per_million: 1
              output_per_million: 2
          unknown:
            base_url: http://127.0.0.1:9/v1
            model: llama-3-8b
        """;

    [Fact]
    public void Prices_fall_back_to_the_price_book_by_price_id_or_model()
    {
        var config = LeverConfig.Parse("lever.yaml", Yaml);
        var registry = ProviderRegistry.Load(config, new ProviderConnection { GetEnvironment = _ => null });
        // Figures from /work/shared/pricebook.json (OpenAI list prices, per million tokens).
        Assert.Equal(new TokenPrices(0.15, 0.075, 0.60), registry.Prices("mini"));
        Assert.Equal(new TokenPrices(0.40, 0.10, 1.60), registry.Prices("deployment"));
        Assert.Equal(new TokenPrices(0.30, 0.15, 1.20), registry.Prices("tuned"));
        Assert.Equal(new TokenPrices(1, null, 2), registry.Prices("stated")); // the provider's own prices win
        Assert.Equal(TokenPrices.Free, registry.Prices("unknown"));
        Assert.Equal(new TokenPrices(0.40, 0.10, 1.60), registry.Prices("unknown", "gpt-4.1-mini")); // a recipe's model override
    }
}
