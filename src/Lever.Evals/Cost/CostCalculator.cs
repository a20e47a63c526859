using Lever.Core.Prices;
namespace Lever.Evals.Cost;

/// <summary>
/// Per-answer cost: uncached input, cached input (at its discounted price) and output tokens at per-million
/// prices, plus local compute as seconds × price per hour. The advisor's price book supplies the prices;
/// this is only the arithmetic, so evals never depend on where prices come from.
/// </summary>
public static class CostCalculator
{
    /// <summary>Token cost in USD.</summary>
    public static double TokenCost(TokenUsage usage, TokenPrices prices)
    {
        long cached = Math.Min(usage.CachedInput, usage.Input);
        long uncached = usage.Input - cached;
        double cachedPrice = prices.CachedInputPerMillion ?? prices.InputPerMillion;
        return (uncached * prices.InputPerMillion + cached * cachedPrice + usage.Output * prices.OutputPerMillion) / 1_000_000.0;
    }

    /// <summary>Compute cost in USD of <paramref name="seconds"/> on hardware priced at <paramref name="pricePerHour"/>.</summary>
    public static double ComputeCost(double seconds, double pricePerHour) => seconds * pricePerHour / 3600.0;

    /// <summary>Embedding cost in USD of <paramref name="tokens"/> at <paramref name="perMillion"/>.</summary>
    public static double EmbeddingCost(long tokens, double perMillion) => tokens * perMillion / 1_000_000.0;
}
