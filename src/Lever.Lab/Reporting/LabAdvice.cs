using System.Text.Json.Nodes;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Config;

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

    /// <summary>Returns the recommendation JSON and the measured recipe it points to (null when none measured that lever).</summary>
    public static (JsonObject Recommendation, string? Recipe) Recommend(Workspace workspace, IReadOnlyList<RecipeResult> results, LabConfiguration config, int testItems)
    {
        if (!LeverConfig.Load(workspace.ConfigPath).Has("workload"))
        {
            var own = FrontierRecommender.Recommend(results, config.RequestsPerMonth, config.Options.ToleranceAccuracyPoints, testItems);
            ((JsonArray)own["warnings"]!).Add("no workload: section in lever.yaml, so the advisor did not run; add one to get `lever advise`'s decision with this evidence");
            return (own, own["recipe"]?.GetValue<string>());
        }
        var inputs = AdvisorInputs.Load(workspace.ConfigPath, workspace.ConfigPath, null);
        var recipes = Evidence(results).ToJsonString();
        var measured = EvidenceReader.Parse(EvidenceSource, recipes);
        var advice = Advisor.Advisor.Advise(inputs.Workload, inputs.Prices, inputs.Policy, [.. inputs.Evidence, .. measured]);
        var json = JsonNode.Parse(AdviceJson.Write(advice))!.AsObject();
        var primary = json["primary"]?.GetValue<string>();
        var recipe = results.Where(r => r.Lever == primary).OrderByDescending(r => r.Metrics.Accuracy).ThenBy(r => r.Cost.Per1kUsd).FirstOrDefault()?.Name;
        return (json, recipe);
    }

    /// <summary>
    /// The summary's recipe rows plus what the advisor's plan describes a measured winner by: how many items were
    /// scored, which model answered and how big it is, and what training cost once.
    /// </summary>
    internal static JsonObject Evidence(IReadOnlyList<RecipeResult> results)
    {
        var summary = LabSummaryWriter.Summary(results, new JsonObject());
        var rows = summary["recipes"]!.AsArray();
        for (var i = 0; i < results.Count; i++)
        {
            var row = rows[i]!.AsObject();
            var r = results[i];
            row["items"] = r.Metrics.Count;
            row["training_usd"] = r.Cost.TrainingUsd;
            if (r.Model is not null) row["model"] = r.Model;
            if (r.ModelParameters is { } n) row["model_params"] = n;
        }
        summary.Remove("recommendation");
        return summary;
    }
}
