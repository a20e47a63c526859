using Lever.Core.Prices;
using Lever.Evals.Cost;
using Lever.Evals.Metrics;
using Lever.Retrieval.Evaluation;

namespace Lever.Evals.Tests;

public class MetricsTests
{
    [Fact]
    public void Retrieval_metrics_match_hand_computed_values()
    {
        var relevant = new HashSet<string> { "d2", "d3" };
        string[] ranked = ["d1", "d2", "d3"];
        Assert.Equal(0.0, RetrievalMetrics.RecallAt(ranked, relevant, 1));
        Assert.Equal(0.5, RetrievalMetrics.RecallAt(ranked, relevant, 2));
        Assert.Equal(1.0, RetrievalMetrics.RecallAt(ranked, relevant, 3));
        Assert.Equal(0.5, RetrievalMetrics.ReciprocalRank(ranked, relevant));
        // DCG = 1/log2(3) + 1/log2(4); ideal = 1 + 1/log2(3)
        Assert.Equal((1 / Math.Log2(3) + 0.5) / (1 + 1 / Math.Log2(3)), RetrievalMetrics.NdcgAt(ranked, relevant, 10), 12);
        Assert.Equal(1.0, RetrievalMetrics.NdcgAt(["d3", "d2", "d1"], relevant, 10), 12);
        Assert.Equal(0.0, RetrievalMetrics.ReciprocalRank(["d9"], relevant));
    }

    [Fact]
    public void Percentiles_interpolate_like_numpy()
    {
        var values = Enumerable.Range(1, 10).Select(i => (double)i).Reverse().ToList();
        Assert.Equal(5.5, Percentile.Of(values, 50), 12);
        Assert.Equal(9.55, Percentile.Of(values, 95), 12);
        Assert.Equal(0, Percentile.Of([], 50));
    }

    [Fact]
    public void Cost_applies_the_cached_discount_in_either_usage_convention()
    {
        var prices = new TokenPrices(2.50, 1.25, 10.00); // gpt-4o list prices per 1M (shared/pricebook.json)
        // OpenAI convention: 1000 prompt tokens of which 400 cached → 600·2.5 + 400·1.25 + 200·10 = 4000 µ$.
        var openai = TokenUsage.From(1000, 400, 200, cachedIncludedInInput: true);
        Assert.Equal(0.004, CostCalculator.TokenCost(openai, prices), 12);
        // Anthropic-style: 600 uncached reported beside 400 cached → the same call, the same cost.
        var other = TokenUsage.From(600, 400, 200, cachedIncludedInInput: false);
        Assert.Equal(openai, other);
        Assert.Equal(0.004, CostCalculator.TokenCost(other, prices), 12);
        // No cached price: no discount.
        Assert.Equal((1000 * 2.5 + 200 * 10) / 1e6, CostCalculator.TokenCost(openai, prices with { CachedInputPerMillion = null }), 12);
        Assert.Equal(0.5, CostCalculator.ComputeCost(1800, 1.0), 12);
    }
}
