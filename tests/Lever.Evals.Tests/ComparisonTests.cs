using Lever.Core.Prices;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Metrics;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Evals.Tests.TestModels;

namespace Lever.Evals.Tests;

public class ComparisonTests
{
    [Fact]
    public void McNemar_exact_p_matches_the_binomial_by_hand()
    {
        // b = 10, c = 2: 2·P(X ≤ 2 | n = 12, ½) = 2·(1 + 12 + 66)/4096.
        Assert.Equal(2.0 * 79 / 4096, Statistics.McNemarExact(10, 2), 12);
        Assert.Equal(Statistics.McNemarExact(10, 2), Statistics.McNemarExact(2, 10), 12);
        Assert.Equal(1.0, Statistics.McNemarExact(3, 3));
        Assert.Equal(1.0, Statistics.McNemarExact(0, 0));
        Assert.Equal(2.0 / 32, Statistics.McNemarExact(5, 0), 12); // 2·(½)^5
    }

    [Fact]
    public void Bootstrap_ci_brackets_the_mean_and_is_reproducible()
    {
        var values = Enumerable.Range(0, 50).Select(i => i % 4 == 0 ? 0.0 : 1.0).ToList(); // mean 0.74
        var (low, high) = Statistics.BootstrapMeanCi(values);
        Assert.InRange(0.74, low, high);
        Assert.True(high - low is > 0.1 and < 0.35, $"{low}..{high}"); // ≈ ±1.96·sqrt(.74·.26/50) = ±0.12
        Assert.Equal((low, high), Statistics.BootstrapMeanCi(values));
        Assert.Equal((1.0, 1.0), Statistics.BootstrapMeanCi([1.0, 1.0, 1.0]));
    }

    [Fact]
    public async Task Runs_compare_with_paired_counts_and_a_cost_quality_frontier()
    {
        using var ws = new TempWorkspace();
        var set = EvalSet.Load(ws.Write("set.jsonl", string.Join('\n', Enumerable.Range(1, 10).Select(i => $"{{\"id\":\"q{i}\",\"input\":\"n{i}\",\"expected\":\"n{i}\"}}")) + "\n"));
        Recipe R(string name) => new() { Name = name, Model = name, Scoring = new ScoringOptions { Scorers = ["exact"] } };
        // cheap: right on 4 items; good: right on all 10 at 10x the price; bad: right on 2, expensive.
        async Task<string> Run(string name, int right, double price)
        {
            var model = new TextModel(m => int.Parse(TextModel.LastUser(m)[1..], System.Globalization.CultureInfo.InvariantCulture) <= right ? TextModel.LastUser(m) : "wrong");
            var dir = Path.Combine(ws.Root, name);
            await new EvalRunner(R(name), new RecipeServices { Chat = model, Prices = new TokenPrices(price, null, price) }, new EvalRunOptions { Diagnose = false }).RunAsync(set, dir);
            return dir;
        }
        var cheap = await Run("cheap", 4, 1);
        var good = await Run("good", 10, 10);
        var bad = await Run("bad", 2, 20);
        var result = RunComparison.Compare([cheap, good, bad]);
        Assert.True(result.Frontier.Order().SequenceEqual(["cheap", "good"]), string.Join("; ", result.Rows.Select(r => $"{r.Run} q={r.Quality} c={r.CostPer1kUsd}")));
        var g = result.Rows[1];
        Assert.Equal((10, 6, 0), (g.PairedItems, g.OnlyThisRight, g.OnlyBaselineRight));
        Assert.Equal(2.0 / 64, g.McNemarP, 12);
        Assert.Equal(1.0, result.Rows[0].McNemarP);
        Assert.Equal(0.4, result.Rows[0].Quality, 12);
        Assert.Equal(10 * result.Rows[0].CostPer1kUsd, g.CostPer1kUsd, 9);
        Assert.Contains("<polyline", RunComparison.Html(result), StringComparison.Ordinal);
    }
}
