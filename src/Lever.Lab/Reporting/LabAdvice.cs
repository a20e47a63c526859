using Lever.Advisor;
using Lever.Core;
using Lever.Core.Config;
using Lever.Lab.Internal;

namespace Lever.Lab.Reporting;

/// <summary>
/// The recommendation: the advisor (<c>lever advise</c>'s engine) run on the workspace's <c>workload:</c> with the lab's
/// measured recipes as evidence, so its decision cites the measured accuracy and cost at the declared volume. Without a
/// workload section the lab's own rule decides (<see cref="FrontierRecommender"/>) and says so.
/// </summary>
public static class LabAdvice
{
    /// <summary>Where the evidence is said to come from in the advisor's rationale.</summary>
    public const string EvidenceSource = ".lever/lab/summary.json";

    /// <summary>The recommendation, with the measured recipe it points to (null when none measured that lever).</summary>
    public static LabRecommendation Recommend(Workspace workspace, IReadOnlyList<RecipeResult> results, LabConfiguration config, int testItems)
    {
        if (!LeverConfig.Load(workspace.ConfigPath).Has("workload"))
        {
            return FrontierRecommender.Recommend(results, config.RequestsPerMonth, config.Options.ToleranceAccuracyPoints, testItems)
                .WithWarnings(["no workload: section in lever.yaml, so the advisor did not run; add one to get `lever advise`'s decision with this evidence"]);
        }
        var inputs = AdvisorInputs.Load(workspace.ConfigPath, workspace.ConfigPath, null);
        var advice = Advisor.Advisor.Advise(inputs.Workload, inputs.Prices, inputs.Policy, [.. inputs.Evidence, .. Evidence(results)]);
        // The recipe the measured decision chose (it weighs intervals and cost, not accuracy alone); else the best of the lever.
        var chosen = advice.Measured.FirstOrDefault(m => m.Status == "primary" && m.Evidence is not null)?.Recipe;
        var recipe = results.Any(r => r.Name == chosen) ? chosen
            : results.Where(r => r.Lever == advice.Primary).OrderByDescending(r => r.Quality).ThenBy(r => r.Cost.Per1kUsd).FirstOrDefault()?.Name;
        return LabRecommendation.From(advice, recipe);
    }

    /// <summary>
    /// The measured recipes as the advisor's evidence, at summary.json's precision, plus what its plan describes a
    /// measured winner by (items scored, which model answered and how big it is, what training cost once) and what paired
    /// comparisons need (each email's outcome, the model id and route).
    /// </summary>
    internal static IReadOnlyList<RecipeEvidence> Evidence(IReadOnlyList<RecipeResult> results) => [.. results.Select(r => new RecipeEvidence
    {
        Source = EvidenceSource,
        Name = r.Name,
        Lever = r.Lever,
        Items = r.Metrics.Count,
        // An extraction row's quality is a mean score (token-F1, field F1), not an accuracy: the advisor pairs its items' scores.
        Accuracy = r.Extraction is null ? SummaryPrecision.Quality(r.Metrics.Accuracy) : null,
        MacroF1 = r.Extraction is null ? SummaryPrecision.Quality(r.Metrics.MacroF1) : null,
        QualityScore = r.Extraction is null ? null : SummaryPrecision.Quality(r.Quality),
        CostPer1kUsd = r.Cost.Per1kUsd,
        LatencyP95Ms = SummaryPrecision.LatencyMs(r.LatencyMsP95),
        Model = r.Model,
        ModelParams = r.ModelParameters,
        TrainSeconds = SummaryPrecision.Seconds(r.TrainSeconds),
        TrainingUsd = r.Cost.TrainingUsd,
        ModelId = r.ModelId,
        Route = r.Route,
        Outcomes = r.Outcomes,
    })];
}
