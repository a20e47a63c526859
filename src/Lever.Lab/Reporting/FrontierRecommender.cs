using Lever.Core.Levers;

namespace Lever.Lab.Reporting;

/// <summary>
/// The lab's own recommendation from measured runs, used when lever.yaml declares no workload for the advisor: among the
/// recipes within <c>tolerance</c> accuracy points of the best measured one, the cheapest per answer at the declared volume.
/// Its JSON uses the advisor's field names (primary, rationale, warnings, options) so the report reads either.
/// </summary>
public static class FrontierRecommender
{
    /// <summary>Recommends from <paramref name="results"/>; every rationale line cites measured numbers.</summary>
    public static LabRecommendation Recommend(IReadOnlyList<RecipeResult> results, double requestsPerMonth, double tolerancePoints, int testItems)
    {
        if (results.Count == 0)
            return new LabRecommendation { Source = "lab", Warnings = ["no recipe was measured"], Options = [] };
        var rationale = new List<string>();
        var warnings = new List<string>();
        var best = results.OrderByDescending(r => r.Quality).ThenBy(r => r.Cost.Per1kUsd).First();
        var near = results.Where(r => (best.Quality - r.Quality) * 100 <= tolerancePoints + 1e-9).ToList();
        var pick = near.OrderBy(r => r.Cost.Per1kUsd).ThenByDescending(r => r.Quality).First();
        rationale.Add($"measured on {testItems} held-out test items at {LabFormat.Volume(requestsPerMonth)} requests/month");
        var metric = best.Extraction?.QualityMetric ?? "accuracy";
        rationale.Add($"best {metric}: {best.Name} ({LeverKinds.Name(best.Lever)}) {LabFormat.Pct(best.Quality)}{(best.Extraction is null ? $", macro-F1 {best.Metrics.MacroF1:F3}" : "")}, {LabFormat.Usd(best.Cost.Per1kUsd)} per 1,000 answers");
        if (pick != best)
            rationale.Add($"{pick.Name} ({LeverKinds.Name(pick.Lever)}) is within {tolerancePoints:0.#} {metric} points ({LabFormat.Pct(pick.Quality)}) at {LabFormat.Usd(pick.Cost.Per1kUsd)} per 1,000 answers " +
                          $"({LabFormat.Usd(pick.Cost.MonthlyUsd)}/month vs {LabFormat.Usd(best.Cost.MonthlyUsd)}/month): the cheaper option wins");
        else
            rationale.Add($"no recipe within {tolerancePoints:0.#} {metric} points of it is cheaper: {LabFormat.Usd(pick.Cost.MonthlyUsd)}/month at the declared volume");
        if (pick.Lever == LeverKind.Baseline && results.Any(r => r.Lever != LeverKind.Baseline))
            rationale.Add("a classical (non-LLM) model matches the LLM recipes on this task: an LLM is not needed at this volume");
        if (results.All(r => r.Lever == LeverKind.Baseline))
            warnings.Add("only the classical baseline was measured in this build; the LLM recipes (prompt, rag, fine_tune_lora, fine_tune_full, distill) plug in when the engine and training are available");
        var options = results.OrderBy(r => r.Cost.Per1kUsd).Select(r =>
        {
            var dominated = results.Any(o => o != r && o.Quality >= r.Quality && o.Cost.Per1kUsd <= r.Cost.Per1kUsd
                                             && (o.Quality > r.Quality || o.Cost.Per1kUsd < r.Cost.Per1kUsd));
            return new FrontierOption(r.Lever, r.Name, r.Quality, r.Metrics.MacroF1, r.Cost.Per1kUsd, r.Cost.MonthlyUsd, r.Cost.TrainingUsd, !dominated);
        }).ToList();
        return new LabRecommendation
        {
            Primary = pick.Lever,
            Recipe = pick.Name,
            Source = "lab: cheapest measured recipe within the accuracy tolerance of the best",
            RequestsPerMonth = requestsPerMonth,
            Rationale = rationale,
            Warnings = warnings,
            Options = options,
        };
    }
}
