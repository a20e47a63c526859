using System.Text.Json.Nodes;
using Lever.Lab.Recipes;

namespace Lever.Lab.Reporting;

/// <summary>
/// The lab's own recommendation from measured runs, used until the advisor's engine is wired in: among the recipes
/// within <c>tolerance</c> accuracy points of the best measured one, the cheapest per answer at the declared volume.
/// Its JSON uses the advisor's field names (primary, rationale, warnings, options) so the report reads either.
/// </summary>
public static class FrontierRecommender
{
    /// <summary>Recommends from <paramref name="results"/>; every rationale line cites measured numbers.</summary>
    public static JsonObject Recommend(IReadOnlyList<RecipeResult> results, double requestsPerMonth, double tolerancePoints, int testItems)
    {
        var rationale = new JsonArray();
        var warnings = new JsonArray();
        var options = new JsonArray();
        if (results.Count == 0)
        {
            warnings.Add("no recipe was measured");
            return new JsonObject { ["primary"] = null, ["source"] = "lab", ["rationale"] = rationale, ["warnings"] = warnings, ["options"] = options };
        }
        var best = results.OrderByDescending(r => r.Metrics.Accuracy).ThenBy(r => r.Cost.Per1kUsd).First();
        var near = results.Where(r => (best.Metrics.Accuracy - r.Metrics.Accuracy) * 100 <= tolerancePoints + 1e-9).ToList();
        var pick = near.OrderBy(r => r.Cost.Per1kUsd).ThenByDescending(r => r.Metrics.Accuracy).First();
        rationale.Add($"measured on {testItems} held-out test items at {LabFormat.Volume(requestsPerMonth)} requests/month");
        rationale.Add($"best accuracy: {best.Name} ({best.Lever}) {LabFormat.Pct(best.Metrics.Accuracy)}, macro-F1 {best.Metrics.MacroF1:F3}, {LabFormat.Usd(best.Cost.Per1kUsd)} per 1,000 answers");
        if (pick != best)
            rationale.Add($"{pick.Name} ({pick.Lever}) is within {tolerancePoints:0.#} accuracy points ({LabFormat.Pct(pick.Metrics.Accuracy)}) at {LabFormat.Usd(pick.Cost.Per1kUsd)} per 1,000 answers " +
                          $"({LabFormat.Usd(pick.Cost.MonthlyUsd)}/month vs {LabFormat.Usd(best.Cost.MonthlyUsd)}/month): the cheaper option wins");
        else
            rationale.Add($"no recipe within {tolerancePoints:0.#} accuracy points of it is cheaper: {LabFormat.Usd(pick.Cost.MonthlyUsd)}/month at the declared volume");
        if (pick.Lever == LeverNames.Baseline && results.Any(r => r.Lever != LeverNames.Baseline))
            rationale.Add("a classical (non-LLM) model matches the LLM recipes on this task: an LLM is not needed at this volume");
        if (results.All(r => r.Lever == LeverNames.Baseline))
            warnings.Add("only the classical baseline was measured in this build; the LLM recipes (prompt, rag, fine_tune_lora, fine_tune_full, distill) plug in when the engine and training are available");
        foreach (var r in results.OrderBy(r => r.Cost.Per1kUsd))
        {
            var dominated = results.Any(o => o != r && o.Metrics.Accuracy >= r.Metrics.Accuracy && o.Cost.Per1kUsd <= r.Cost.Per1kUsd
                                             && (o.Metrics.Accuracy > r.Metrics.Accuracy || o.Cost.Per1kUsd < r.Cost.Per1kUsd));
            options.Add(new JsonObject
            {
                ["lever"] = r.Lever,
                ["recipe"] = r.Name,
                ["accuracy"] = Math.Round(r.Metrics.Accuracy, 4),
                ["macro_f1"] = Math.Round(r.Metrics.MacroF1, 4),
                ["cost_per_1k_usd"] = r.Cost.Per1kUsd,
                ["monthly_usd"] = r.Cost.MonthlyUsd,
                ["one_time_usd"] = r.Cost.TrainingUsd,
                ["on_frontier"] = !dominated,
            });
        }
        return new JsonObject
        {
            ["primary"] = pick.Lever,
            ["recipe"] = pick.Name,
            ["source"] = "lab: cheapest measured recipe within the accuracy tolerance of the best",
            ["requests_per_month"] = requestsPerMonth,
            ["rationale"] = rationale,
            ["warnings"] = warnings,
            ["options"] = options,
        };
    }
}
