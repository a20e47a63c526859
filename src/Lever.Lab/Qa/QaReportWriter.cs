using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core.Levers;
using Lever.Lab.Internal;
using Lever.Lab.Reporting;

namespace Lever.Lab.Qa;

/// <summary>
/// Writes the QA lab's reports: summary.json (the classification lab's recipe fields — <c>macro_f1</c> is null, an open
/// answer has no classes — plus the retrieval metrics), results.json (everything: per-question answers, citation accuracy,
/// failure diagnosis, freshness rows, skipped recipes, cost inputs) and report.html.
/// </summary>
public static class QaReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes summary.json, results.json and report.html into <paramref name="labDir"/>.</summary>
    public static void Write(string labDir, string title, IReadOnlyList<QaRecipeResult> results, IReadOnlyList<(string Recipe, string Reason)> skipped,
        IReadOnlyList<FreshnessRow> freshness, DocsModelLoss? docsModel, LabRecommendation recommendation, QaLabSettings settings, IReadOnlyList<QaQuestion> questions, ILabPages pages)
    {
        File.WriteAllText(Path.Combine(labDir, "summary.json"), Summary(results, recommendation.ToJson(), settings.Lab.Options.ToleranceAccuracyPoints).ToJsonString(Indented) + "\n");
        File.WriteAllText(Path.Combine(labDir, "results.json"), Details(results, skipped, freshness, docsModel, settings).ToJsonString(Indented) + "\n");
        File.WriteAllText(Path.Combine(labDir, "report.html"), pages.Qa(title, results, skipped, freshness, docsModel, recommendation, settings, questions));
    }

    /// <summary>
    /// The summary.json document: <c>{"recipes":[…],"recommendation":{…},"quality_metric","tolerance_points"}</c>; each
    /// recipe's <c>quality</c> is its answer accuracy (<c>quality_metric: accuracy</c>: the share of questions answered right).
    /// </summary>
    public static JsonObject Summary(IReadOnlyList<QaRecipeResult> results, JsonObject recommendation, double tolerancePoints = 1.0)
    {
        var recipes = new JsonArray();
        foreach (var r in results)
        {
            recipes.Add(new JsonObject
            {
                ["name"] = r.Recipe.Name,
                ["lever"] = LeverKinds.Name(r.Recipe.Lever),
                ["accuracy"] = SummaryPrecision.Quality(r.Accuracy),
                ["macro_f1"] = null,
                ["latency_ms_p50"] = SummaryPrecision.LatencyMs(r.LatencyMsP50),
                ["latency_ms_p95"] = SummaryPrecision.LatencyMs(r.LatencyMsP95),
                ["cost_per_1k_usd"] = r.Cost.Per1kUsd,
                ["train_seconds"] = SummaryPrecision.Seconds(r.TrainSeconds),
                ["recall_at_1"] = R(r.Retrieval?.RecallAt1),
                ["recall_at_5"] = R(r.Retrieval?.RecallAt5),
                ["recall_at_10"] = R(r.Retrieval?.RecallAt10),
                ["mrr"] = R(r.Retrieval?.Mrr),
                ["ndcg_at_10"] = R(r.Retrieval?.NdcgAt10),
                ["quality"] = SummaryPrecision.Quality(r.Accuracy),
            });
        }
        return new JsonObject
        {
            ["recipes"] = recipes, ["recommendation"] = recommendation.DeepClone(), ["quality_metric"] = LabSummaryWriter.QualityMetric, ["tolerance_points"] = tolerancePoints,
        };
    }

    private static JsonNode? R(double? v) => v is { } x ? JsonValue.Create(Math.Round(x, 6)) : null;

    private static JsonObject Details(IReadOnlyList<QaRecipeResult> results, IReadOnlyList<(string Recipe, string Reason)> skipped, IReadOnlyList<FreshnessRow> freshness, DocsModelLoss? docsModel, QaLabSettings settings)
    {
        var recipes = new JsonArray();
        foreach (var r in results)
        {
            recipes.Add(new JsonObject
            {
                ["name"] = r.Recipe.Name,
                ["lever"] = LeverKinds.Name(r.Recipe.Lever),
                ["description"] = r.Recipe.Description,
                ["retrieval"] = r.Recipe.Retrieval.ToString().ToLowerInvariant(),
                ["embedding_model"] = r.EmbeddingId,
                ["hosted"] = r.Recipe.Hosted,
                ["items"] = r.Items,
                ["correct"] = r.Correct,
                ["accuracy"] = r.Accuracy,
                ["citation_accuracy"] = r.CitationAccuracy,
                ["grounded_accuracy"] = r.GroundedAccuracy,
                ["retrieval_metrics"] = r.Retrieval is null ? null : JsonSerializer.SerializeToNode(r.Retrieval, Internal.JsonLines.Options),
                ["diagnosis"] = new JsonObject { ["knowledge"] = r.KnowledgeFailures, ["capability"] = r.CapabilityFailures },
            }.AddMeasurements(r.LatencyMsP50, r.LatencyMsP95, r.LatencyMsMean, r.TrainSeconds, r.Cost));
            recipes[^1]!["answers"] = JsonSerializer.SerializeToNode(r.Predictions, Internal.JsonLines.Options);
        }
        return new JsonObject
        {
            ["recipes"] = recipes,
            ["skipped"] = new JsonArray([.. skipped.Select(s => (JsonNode)new JsonObject { ["name"] = s.Recipe, ["reason"] = s.Reason })]),
            ["freshness"] = JsonSerializer.SerializeToNode(freshness, Internal.JsonLines.Options),
            ["docs_model"] = docsModel is null ? null : JsonSerializer.SerializeToNode(docsModel, Internal.JsonLines.Options),
            ["matching"] = "an answer is correct when it contains the expected text after normalization (NFKC, lower case, number words → digits, byte units → kb/mb/gb/tb joined to their number, punctuation → space), on word boundaries",
            ["cost_model"] = new JsonObject
            {
                ["formula"] = "cost_per_1k = 1000 × (mean_latency_s × answer_cores × cpu_hour_usd / 3600 + billed_per_answer + index_seconds × cpu_hour_usd / 3600 / (amortize_months × requests_per_month)); answer_cores = 1 local, 0 hosted",
                ["cpu_hour_usd"] = settings.Lab.Options.Compute.CpuHourUsd,
                ["amortize_months"] = settings.Lab.Options.Compute.AmortizeMonths,
                ["requests_per_month"] = settings.Lab.RequestsPerMonth,
                ["volume_source"] = settings.Lab.VolumeSource,
            },
        };
    }
}
