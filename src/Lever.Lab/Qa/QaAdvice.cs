using Lever.Advisor;
using Lever.Core;
using Lever.Core.Config;
using Lever.Lab.Internal;
using Lever.Lab.Reporting;

namespace Lever.Lab.Qa;

/// <summary>
/// The QA lab's recommendation: the advisor run on the workspace's <c>workload:</c> with the measured recipes as evidence —
/// accuracy, cost per 1,000 answers, p95 latency, and the failure diagnosis (knowledge: the facts were not in the passages;
/// capability: they were and the answerer missed them). Without a workload section the most accurate recipe wins, the
/// cheapest within the tolerance, and the recommendation says so.
/// </summary>
public static class QaAdvice
{
    /// <summary>The recommendation, with the measured recipe it points to.</summary>
    public static LabRecommendation Recommend(Workspace workspace, IReadOnlyList<QaRecipeResult> results, LabConfiguration config)
    {
        if (results.Count == 0) return new LabRecommendation { Warnings = ["no recipe ran"] };
        if (!LeverConfig.Load(workspace.ConfigPath).Has("workload")) return Own(results, config);
        var inputs = AdvisorInputs.Load(workspace.ConfigPath, workspace.ConfigPath, null);
        var advice = Advisor.Advisor.Advise(inputs.Workload, inputs.Prices, inputs.Policy, [.. inputs.Evidence, .. Evidence(results)]);
        var recipe = results.Where(r => r.Recipe.Lever == advice.Primary).OrderByDescending(r => r.Accuracy).ThenBy(r => r.Cost.Per1kUsd).FirstOrDefault()?.Recipe.Name;
        return LabRecommendation.From(advice, recipe);
    }

    /// <summary>
    /// The evidence the advisor reads, at summary.json's precision: per recipe its lever, measured accuracy, cost, latency
    /// and failure diagnosis; with each question's outcome, the model id and route for paired comparisons.
    /// </summary>
    public static IReadOnlyList<RecipeEvidence> Evidence(IReadOnlyList<QaRecipeResult> results) => [.. results.Select(r => new RecipeEvidence
    {
        Source = LabAdvice.EvidenceSource,
        Name = r.Recipe.Name,
        Lever = r.Recipe.Lever,
        Items = r.Items,
        Accuracy = SummaryPrecision.Quality(r.Accuracy),
        CostPer1kUsd = r.Cost.Per1kUsd,
        LatencyP95Ms = SummaryPrecision.LatencyMs(r.LatencyMsP95),
        KnowledgeFailures = r.KnowledgeFailures,
        CapabilityFailures = r.CapabilityFailures,
        ModelId = r.ModelId,
        Route = r.Route,
        Outcomes = r.Predictions.ToDictionary(p => p.Id, p => p.Correct ? new ItemOutcome(true, 1) : new ItemOutcome(false, 0), StringComparer.Ordinal),
    })];

    private static LabRecommendation Own(IReadOnlyList<QaRecipeResult> results, LabConfiguration config)
    {
        var best = results.Max(r => r.Accuracy);
        var pick = results.Where(r => r.Accuracy >= best - config.Options.ToleranceAccuracyPoints / 100).OrderBy(r => r.Cost.Per1kUsd).First();
        return new LabRecommendation
        {
            Primary = pick.Recipe.Lever,
            Recipe = pick.Recipe.Name,
            Summary = $"{pick.Recipe.Name}: {LabFormat.Pct(pick.Accuracy)} of the questions answered correctly at {LabFormat.Usd(pick.Cost.Per1kUsd)} per 1,000 answers " +
                      $"({LabFormat.Usd(pick.Cost.MonthlyUsd)} a month at {LabFormat.Volume(config.RequestsPerMonth)} answers).",
            Rationale = [$"the most accurate recipe measured {LabFormat.Pct(best)}; {pick.Recipe.Name} is the cheapest within {config.Options.ToleranceAccuracyPoints} accuracy points of it"],
            Warnings = ["no workload: section in lever.yaml, so the advisor did not run; add one to get `lever advise`'s decision with this evidence"],
        };
    }
}
