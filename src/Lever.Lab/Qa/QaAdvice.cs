using System.Text.Json.Nodes;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Config;
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
    /// <summary>The recommendation JSON and the measured recipe it points to.</summary>
    public static (JsonObject Recommendation, string? Recipe) Recommend(Workspace workspace, IReadOnlyList<QaRecipeResult> results, LabConfiguration config)
    {
        if (results.Count == 0) return (new JsonObject { ["primary"] = null, ["warnings"] = new JsonArray("no recipe ran") }, null);
        if (!LeverConfig.Load(workspace.ConfigPath).Has("workload")) return Own(results, config);
        var inputs = AdvisorInputs.Load(workspace.ConfigPath, workspace.ConfigPath, null);
        var measured = EvidenceReader.Parse(LabAdvice.EvidenceSource, Evidence(results).ToJsonString());
        var advice = Advisor.Advisor.Advise(inputs.Workload, inputs.Prices, inputs.Policy, [.. inputs.Evidence, .. measured]);
        var json = JsonNode.Parse(AdviceJson.Write(advice))!.AsObject();
        var primary = json["primary"]?.GetValue<string>();
        var recipe = results.Where(r => r.Recipe.Lever == primary).OrderByDescending(r => r.Accuracy).ThenBy(r => r.Cost.Per1kUsd).FirstOrDefault()?.Recipe.Name;
        return (json, recipe);
    }

    /// <summary>The evidence the advisor reads: per recipe its lever, measured accuracy, cost, latency and failure diagnosis.</summary>
    public static JsonObject Evidence(IReadOnlyList<QaRecipeResult> results) => new()
    {
        ["recipes"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Recipe.Name,
            ["lever"] = r.Recipe.Lever,
            ["items"] = r.Items,
            ["accuracy"] = Math.Round(r.Accuracy, 6),
            ["cost_per_1k_usd"] = r.Cost.Per1kUsd,
            ["latency_ms_p95"] = Math.Round(r.LatencyMsP95, 4),
            ["diagnosis"] = new JsonObject { ["knowledge"] = r.KnowledgeFailures, ["capability"] = r.CapabilityFailures },
        })]),
    };

    private static (JsonObject, string?) Own(IReadOnlyList<QaRecipeResult> results, LabConfiguration config)
    {
        var best = results.Max(r => r.Accuracy);
        var pick = results.Where(r => r.Accuracy >= best - config.Options.ToleranceAccuracyPoints / 100).OrderBy(r => r.Cost.Per1kUsd).First();
        var json = new JsonObject
        {
            ["primary"] = pick.Recipe.Lever,
            ["recipe"] = pick.Recipe.Name,
            ["summary"] = $"{pick.Recipe.Name}: {LabFormat.Pct(pick.Accuracy)} of the questions answered correctly at {LabFormat.Usd(pick.Cost.Per1kUsd)} per 1,000 answers " +
                          $"({LabFormat.Usd(pick.Cost.MonthlyUsd)} a month at {LabFormat.Volume(config.RequestsPerMonth)} answers).",
            ["rationale"] = new JsonArray($"the most accurate recipe measured {LabFormat.Pct(best)}; {pick.Recipe.Name} is the cheapest within {config.Options.ToleranceAccuracyPoints} accuracy points of it"),
            ["warnings"] = new JsonArray("no workload: section in lever.yaml, so the advisor did not run; add one to get `lever advise`'s decision with this evidence"),
        };
        return (json, pick.Recipe.Name);
    }
}
