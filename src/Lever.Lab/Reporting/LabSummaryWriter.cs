using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Levers;
using Lever.Lab.Data;
using Lever.Lab.Internal;

namespace Lever.Lab.Reporting;

/// <summary>
/// Writes the lab's three reports: summary.json (exactly the fields the issue specifies, for machines and CI),
/// results.json (everything behind it: confusion matrices, monthly cost, split counts, the cost formula's inputs),
/// and report.html.
/// </summary>
public static class LabSummaryWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes summary.json, results.json and report.html into <paramref name="labDir"/>.</summary>
    public static void Write(string labDir, IReadOnlyList<RecipeResult> results, LabRecommendation recommendation, DatasetStats stats, LabConfiguration config, Workspace workspace, ILabPages pages,
        IReadOnlyList<HostedQuote>? quotes = null)
    {
        quotes ??= [];
        var summary = Summary(results, recommendation.ToJson(), config.Options.ToleranceAccuracyPoints);
        // Additive, last: the price book's hosted models priced for this data, not measured.
        summary["hosted_priced"] = Quotes(quotes);
        summary["inference"] = InferenceOf(config.Options.Inference);
        // Additive: how the lab's model was sized, and per trained row its settings and the search that chose them.
        if (SizingOf(config.Options) is { } sizing) summary["sizing"] = sizing;
        var rows = (JsonArray)summary["recipes"]!;
        for (var i = 0; i < results.Count; i++) AddSettings((JsonObject)rows[i]!, results[i].Settings);
        var details = Details(results, stats, config);
        details["sizing"] = SizingOf(config.Options);
        var detailRows = (JsonArray)details["recipes"]!;
        for (var i = 0; i < results.Count; i++) AddSettings((JsonObject)detailRows[i]!, results[i].Settings);
        details["hosted_priced"] = new JsonObject { ["basis"] = HostedQuote.TokenBasis, ["models"] = Quotes(quotes) };
        File.WriteAllText(Path.Combine(labDir, "summary.json"), summary.ToJsonString(Indented) + "\n");
        File.WriteAllText(Path.Combine(labDir, "results.json"), details.ToJsonString(Indented) + "\n");
        File.WriteAllText(Path.Combine(labDir, "report.html"), pages.Classification(Path.GetFileName(workspace.Root.TrimEnd('/')), results, recommendation, stats, config, quotes));
    }

    /// <summary>
    /// <c>sizing</c>: the budget, what the model was sized for and what it got (<see cref="Recipes.Local.LocalModelSizing"/>),
    /// each <c>lab.llm</c> field's source, and the rationale; null (and summary.json without it) when lever.yaml sets every
    /// sized field or no row uses the model.
    /// </summary>
    internal static JsonObject? SizingOf(LabOptions options)
    {
        if (options.Llm.Sizing is not { } z) return null;
        var llm = options.Llm;
        return new JsonObject
        {
            ["budget_minutes"] = options.BudgetMinutes,
            ["rows"] = z.Rows,
            ["mean_tokens"] = Math.Round(z.MeanTokens, 1),
            ["preset"] = llm.Preset,
            ["pretrain_steps"] = llm.PretrainSteps,
            ["fine_tune_steps"] = llm.FineTuneSteps,
            ["lora_steps"] = Recipes.Local.FineTuneRecipe.Steps(llm, lora: true),
            ["batch_size"] = llm.BatchSize,
            ["seq_len"] = llm.SeqLen,
            ["sources"] = new JsonObject(LabLanguageModelOptions.SizedFields.Select(f => KeyValuePair.Create(f, (JsonNode?)llm.SourceOf(f)))),
            ["tokens_per_parameter"] = Math.Round(z.TokensPerParameter, 3),
            ["pretrain_epochs"] = Math.Round(z.PretrainEpochs, 2),
            ["estimated_train_seconds"] = Math.Round(z.EstimatedTrainSeconds),
            ["rationale"] = z.Rationale,
        };
    }

    /// <summary>A trained row's <c>settings</c> (name → value and source) and <c>search</c> (budget, candidates with their validation scores, the chosen one).</summary>
    private static void AddSettings(JsonObject row, Recipes.RecipeSettings? settings)
    {
        if (settings is null) return;
        row["settings"] = new JsonObject(settings.Values.Select(v => KeyValuePair.Create(v.Name, (JsonNode?)new JsonObject { ["value"] = v.Value, ["source"] = v.Source })));
        if (settings.Search is not { } search) return;
        row["search"] = new JsonObject
        {
            ["metric"] = search.Metric,
            ["budget_steps"] = search.BudgetSteps,
            ["chosen"] = search.Chosen,
            ["candidates"] = new JsonArray([.. search.Candidates.Select(c => (JsonNode)new JsonObject
            {
                ["learning_rate"] = c.LearningRate,
                ["max_steps"] = c.MaxSteps,
                ["best_step"] = c.Score.BestStep,
                ["validation_loss"] = double.IsFinite(c.Score.ValidationLoss) ? Math.Round(c.Score.ValidationLoss, 4) : null,
                ["validation_accuracy"] = c.Score.ValidationAccuracy is { } a && double.IsFinite(a) ? Math.Round(a, 4) : null,
            })]),
        };
    }

    private static JsonObject InferenceOf(LabInferenceOptions o) => new() { ["backend"] = o.Backend, ["quantization"] = o.Quantization };

    private static JsonArray Quotes(IReadOnlyList<HostedQuote> quotes) => new([.. quotes.Select(q => (JsonNode)new JsonObject
    {
        ["model"] = q.Model,
        ["input_tokens"] = q.InputTokens,
        ["output_tokens"] = q.OutputTokens,
        ["cost_per_1k_usd"] = Math.Round(q.Per1kUsd, 6),
        ["monthly_usd"] = Math.Round(q.MonthlyUsd, 2),
        ["measured"] = false,
        ["source"] = q.Source,
    })]);

    /// <summary>Name of the task's primary metric, written once at the top of summary.json; each recipe's <c>quality</c> is it.</summary>
    public const string QualityMetric = "accuracy";

    /// <summary>
    /// The summary.json document: <c>{"recipes":[…],"recommendation":{…},"quality_metric","tolerance_points"}</c>. The
    /// recipe fields are the documented ones, then <c>quality</c> (the task's primary metric, named by
    /// <c>quality_metric</c>); the additions come last, so readers of the first shape are not disturbed.
    /// </summary>
    public static JsonObject Summary(IReadOnlyList<RecipeResult> results, JsonObject recommendation, double tolerancePoints = 1.0)
    {
        var recipes = new JsonArray();
        foreach (var r in results)
        {
            var row = new JsonObject
            {
                ["name"] = r.Name,
                ["lever"] = LeverKinds.Name(r.Lever),
                ["accuracy"] = SummaryPrecision.Quality(r.Metrics.Accuracy),
                ["macro_f1"] = r.Extraction is null ? SummaryPrecision.Quality(r.Metrics.MacroF1) : null,
                ["latency_ms_p50"] = SummaryPrecision.LatencyMs(r.LatencyMsP50),
                ["latency_ms_p95"] = SummaryPrecision.LatencyMs(r.LatencyMsP95),
                ["cost_per_1k_usd"] = r.Cost.Per1kUsd,
                ["train_seconds"] = SummaryPrecision.Seconds(r.TrainSeconds),
                ["quality"] = SummaryPrecision.Quality(r.Quality),
                ["inference_backend"] = r.Inference?.Backend,
                ["inference_quantization"] = r.Inference?.Quantization,
            };
            if (r.Extraction is { } x) AddExtraction(row, x, SummaryPrecision.Quality);
            recipes.Add(row);
        }
        return new JsonObject
        {
            ["recipes"] = recipes, ["recommendation"] = recommendation.DeepClone(),
            ["quality_metric"] = results.FirstOrDefault(r => r.Extraction is not null)?.Extraction!.QualityMetric ?? QualityMetric, ["tolerance_points"] = tolerancePoints,
        };
    }

    /// <summary>
    /// An extraction row's own fields, after the shared ones: <c>exact_match</c>, <c>token_f1</c> and, for JSON outputs,
    /// <c>field_precision</c>, <c>field_recall</c>, <c>field_f1</c> (micro over leaf fields; null when the outputs are not JSON).
    /// </summary>
    private static void AddExtraction(JsonObject row, Evals.Scoring.ExtractionReport x, Func<double, double> round)
    {
        row["exact_match"] = round(x.ExactMatch);
        row["token_f1"] = round(x.TokenF1);
        row["field_precision"] = x.FieldPrecision is { } p ? round(p) : null;
        row["field_recall"] = x.FieldRecall is { } rc ? round(rc) : null;
        row["field_f1"] = x.FieldF1 is { } f ? round(f) : null;
    }

    private static JsonObject Details(IReadOnlyList<RecipeResult> results, DatasetStats stats, LabConfiguration config)
    {
        var recipes = new JsonArray();
        foreach (var r in results)
        {
            var confusion = new JsonObject();
            for (var i = 0; i < r.Metrics.Labels.Count; i++)
            {
                var cells = new JsonObject();
                foreach (var column in r.Metrics.Columns) cells[column] = r.Metrics.Cell(r.Metrics.Labels[i], column);
                confusion[r.Metrics.Labels[i]] = cells;
            }
            var row = new JsonObject
            {
                ["name"] = r.Name,
                ["lever"] = LeverKinds.Name(r.Lever),
                ["description"] = r.Description,
                ["items"] = r.Metrics.Count,
                ["accuracy"] = r.Metrics.Accuracy,
                ["macro_f1"] = r.Extraction is null ? r.Metrics.MacroF1 : null,
                ["f1"] = new JsonObject(r.Metrics.Labels.Select(l => KeyValuePair.Create(l, (JsonNode?)r.Metrics.F1Of(l)))),
                ["confusion"] = confusion,
                ["inference_backend"] = r.Inference?.Backend,
                ["inference_quantization"] = r.Inference?.Quantization,
            };
            if (r.Extraction is { } x) AddExtraction(row, x, v => v);
            recipes.Add(row.AddMeasurements(r.LatencyMsP50, r.LatencyMsP95, r.LatencyMsMean, r.TrainSeconds, r.Cost));
        }
        return new JsonObject
        {
            ["recipes"] = recipes,
            ["data"] = JsonSerializer.SerializeToNode(stats, Internal.JsonLines.Options),
            ["inference"] = InferenceOf(config.Options.Inference),
            ["cost_model"] = new JsonObject
            {
                ["formula"] = "cost_per_1k = 1000 × (mean_latency_s × answer_cores × cpu_hour_usd / 3600 + billed_per_answer + train_seconds × train_cores × cpu_hour_usd / 3600 / (amortize_months × requests_per_month))",
                ["cpu_hour_usd"] = config.Options.Compute.CpuHourUsd,
                ["amortize_months"] = config.Options.Compute.AmortizeMonths,
                ["requests_per_month"] = config.RequestsPerMonth,
                ["volume_source"] = config.VolumeSource,
            },
        };
    }

    /// <summary>
    /// Appends the fields every lab's results share — latency p50/p95/mean, training seconds and the cost breakdown — to
    /// <paramref name="row"/>, with the same names in the same order for the classification and the QA lab.
    /// </summary>
    internal static JsonObject AddMeasurements(this JsonObject row, double p50, double p95, double mean, double trainSeconds, LabCost cost)
    {
        row["latency_ms_p50"] = p50;
        row["latency_ms_p95"] = p95;
        row["latency_ms_mean"] = mean;
        row["train_seconds"] = trainSeconds;
        row["answer_per_1k_usd"] = cost.AnswerPer1kUsd;
        row["training_per_1k_usd"] = cost.TrainingPer1kUsd;
        row["training_usd"] = cost.TrainingUsd;
        row["cost_per_1k_usd"] = cost.Per1kUsd;
        row["monthly_usd"] = cost.MonthlyUsd;
        return row;
    }
}
