using Lever.Core.Prices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lever.Advisor.Internal;
using Lever.Core.Levers;

namespace Lever.Advisor;

/// <summary>Writes <see cref="Advice"/> as the JSON `lever advise --json` prints (snake_case, documented in docs/ADVISOR.md).</summary>
public static class AdviceJson
{
    /// <summary>The advice as indented JSON.</summary>
    public static string Write(Advice a)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            j.WriteString("primary", LeverKinds.Name(a.Primary));
            j.WriteString("summary", a.Summary);
            j.WriteString("recommendation", a.Recommendation);
            j.WriteString("today", a.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            j.WriteStartObject("diagnosis");
            j.WriteBoolean("knowledge_gap", a.Diagnosis.KnowledgeGap);
            j.WriteBoolean("behaviour_gap", a.Diagnosis.BehaviourGap);
            j.WriteBoolean("prompt_gap", a.Diagnosis.PromptGap);
            j.WriteBoolean("cost_gap", a.Diagnosis.CostGap);
            j.WriteBoolean("latency_gap", a.Diagnosis.LatencyGap);
            j.WriteBoolean("knowledge_need", a.Diagnosis.KnowledgeNeed);
            j.WriteString("source", a.Diagnosis.Source);
            j.WriteEndObject();
            j.WriteStartArray("plan");
            foreach (var s in a.Plan) j.WriteStringValue(s);
            j.WriteEndArray();
            j.WriteStartArray("rationale");
            foreach (var r in a.Rationale)
            {
                j.WriteStartObject();
                j.WriteString("rule", r.Rule);
                j.WriteString("text", r.Text);
                j.WriteStartObject("numbers");
                foreach (var (k, v) in r.Numbers) Num(j, k, v, 6);
                j.WriteEndObject();
                j.WriteString("source", r.Source);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteStartArray("warnings");
            foreach (var s in a.Warnings) j.WriteStringValue(s);
            j.WriteEndArray();
            var d = a.DataSufficiency;
            j.WriteStartObject("data_sufficiency");
            j.WriteString("band", d.Band);
            Num(j, "min_examples", d.MinExamples, 0);
            Num(j, "recommended_examples", d.RecommendedExamples, 0);
            j.WriteNumber("have_examples", d.HaveExamples);
            j.WriteBoolean("sufficient", d.Sufficient);
            Num(j, "missing_examples", d.MissingExamples, 0);
            j.WriteString("basis", d.Basis);
            j.WriteEndObject();
            j.WriteStartArray("options");
            foreach (var o in a.Options)
            {
                j.WriteStartObject();
                j.WriteString("lever", LeverKinds.Name(o.Lever));
                j.WriteString("model", o.Model);
                j.WriteString("route", o.Route);
                j.WriteBoolean("viable", o.Viable);
                if (o.WhyNot is null) j.WriteNull("why_not");
                else j.WriteString("why_not", o.WhyNot);
                Num(j, "one_time_usd", o.OneTimeUsd, 2);
                Num(j, "cost_per_1k_answers_usd", o.CostPer1kAnswersUsd, 4);
                Num(j, "monthly_usd", o.MonthlyUsd, 2);
                Num(j, "tco_12_months_usd", o.Tco12MonthsUsd, 2);
                if (o.BreakEvenRequestsPerMonth is { } be) Num(j, "break_even_requests_per_month", be, 0);
                else j.WriteNull("break_even_requests_per_month");
                j.WriteString("break_even_note", o.BreakEvenNote);
                Num(j, "latency_p95_ms", o.LatencyP95Ms, 0);
                j.WriteString("latency_basis", o.LatencyBasis);
                Items(j, "one_time", o.OneTime);
                Items(j, "monthly_fixed", o.MonthlyFixed);
                Items(j, "usage", [o.Usage]);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteStartArray("evidence");
            foreach (var e in a.Evidence)
            {
                j.WriteStartObject();
                j.WriteString("source", e.Source);
                j.WriteString("name", e.Name);
                // The option the measurement replaced: null for a baseline row, as for evidence that names no lever.
                if (e.Lever is { } l and not LeverKind.Baseline) j.WriteString("lever", LeverKinds.Name(l));
                else j.WriteNull("lever");
                if (e.Quality is { } q) Num(j, "quality", q, 4);
                // Unrounded: a measured local recipe costs millionths of a dollar per 1k answers, and rounding to 4 places made it 0.
                if (e.CostPer1kUsd is { } c && double.IsFinite(c)) j.WriteNumber("cost_per_1k_usd", c);
                if (e.Model is { } m) j.WriteString("model", m);
                if (e.ModelParams is { } n) j.WriteNumber("model_params", n);
                if (e.TrainSeconds is { } ts) Num(j, "train_seconds", ts, 3);
                if (e.TrainingUsd is { } tu) j.WriteNumber("training_usd", tu);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            // The decision's evidence table: each measured recipe's quality with its interval, cost, and gain over the best simpler option.
            j.WriteStartArray("measured");
            foreach (var m in a.Measured)
            {
                j.WriteStartObject();
                j.WriteString("recipe", m.Recipe);
                j.WriteString("lever", LeverKinds.Name(m.Lever));
                Num(j, "quality", m.Quality, 4);
                Opt(j, "quality_low", m.QualityLow, 4);
                Opt(j, "quality_high", m.QualityHigh, 4);
                if (m.CostPer1kUsd is { } c && double.IsFinite(c)) j.WriteNumber("cost_per_1k_usd", c);
                else j.WriteNull("cost_per_1k_usd");
                Opt(j, "monthly_usd", m.MonthlyUsd, 4);
                Opt(j, "tco_12_months_usd", m.Tco12Usd, 4);
                if (m.SimplerRecipe is null) j.WriteNull("simpler_recipe");
                else j.WriteString("simpler_recipe", m.SimplerRecipe);
                if (m.GainVsSimpler is { } g)
                {
                    j.WriteStartObject("gain_vs_simpler");
                    Num(j, "points", g.Points, 3);
                    Opt(j, "low", g.Low, 3);
                    Opt(j, "high", g.High, 3);
                    j.WriteString("method", g.Method);
                    j.WriteNumber("items", g.Items);
                    Opt(j, "p_value", g.PValue, 4);
                    j.WriteBoolean("demonstrated", g.Demonstrated);
                    j.WriteString("verdict", g.Verdict);
                    j.WriteEndObject();
                }
                else j.WriteNull("gain_vs_simpler");
                j.WriteString("status", m.Status);
                j.WriteString("note", m.Note);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            Inputs(j, a.Workload);
            j.WriteString("price_book", a.PriceBook);
            j.WriteString("policy", a.Policy);
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The workload as read, defaults filled in: the inputs every basis string refers to.</summary>
    private static void Inputs(Utf8JsonWriter j, Workload w)
    {
        static void Opt(Utf8JsonWriter j, string name, double? v)
        {
            if (v is { } x) j.WriteNumber(name, x);
            else j.WriteNull(name);
        }
        j.WriteStartObject("workload");
        j.WriteStartObject("task");
        j.WriteString("kind", Names.Snake(w.Task.Kind));
        Opt(j, "classes", w.Task.Classes);
        j.WriteStartArray("symptoms");
        foreach (var s in w.Task.Symptoms) j.WriteStringValue(Names.Snake(s));
        j.WriteEndArray();
        j.WriteEndObject();
        j.WriteStartObject("knowledge");
        j.WriteNumber("corpus_tokens", w.Knowledge.CorpusTokens);
        j.WriteString("changes", Names.Snake(w.Knowledge.Changes));
        j.WriteBoolean("citations_required", w.Knowledge.CitationsRequired);
        j.WriteBoolean("per_user_permissions", w.Knowledge.PerUserPermissions);
        j.WriteEndObject();
        j.WriteStartObject("data");
        j.WriteNumber("labeled_examples", w.Data.LabeledExamples);
        j.WriteNumber("unlabeled_domain_tokens", w.Data.UnlabeledDomainTokens);
        j.WriteEndObject();
        j.WriteStartObject("workload");
        j.WriteNumber("requests_per_month", w.Traffic.RequestsPerMonth);
        j.WriteNumber("input_tokens", w.Traffic.InputTokens);
        j.WriteNumber("output_tokens", w.Traffic.OutputTokens);
        j.WriteNumber("shared_prefix_tokens", w.Traffic.SharedPrefixTokens);
        j.WriteNumber("latency_p95_ms", w.Traffic.LatencyP95Ms);
        j.WriteEndObject();
        j.WriteStartObject("constraints");
        j.WriteString("deployment", Names.Snake(w.Constraints.Deployment));
        j.WriteString("compliance", Names.Snake(w.Constraints.Compliance));
        j.WriteNumber("one_time_budget_usd", w.Constraints.OneTimeBudgetUsd);
        Opt(j, "gpu_memory_gb", w.Constraints.GpuMemoryGb);
        j.WriteEndObject();
        j.WriteStartObject("quality");
        Opt(j, "current_accuracy", w.Quality.CurrentAccuracy);
        Opt(j, "expected_fine_tune_gain_points", w.Quality.ExpectedFineTuneGainPoints);
        j.WriteEndObject();
        j.WriteStartObject("model");
        j.WriteString("current", w.Model.Current);
        j.WriteString("small", w.Model.Small);
        Opt(j, "self_hosted_params_b", w.Model.SelfHostedParamsB);
        j.WriteEndObject();
        j.WriteStartArray("evidence");
        foreach (var e in w.Evidence) j.WriteStringValue(e);
        j.WriteEndArray();
        j.WriteEndObject();
    }

    private static void Items(Utf8JsonWriter j, string name, IEnumerable<CostItem> items)
    {
        j.WriteStartArray(name);
        foreach (var i in items)
        {
            j.WriteStartObject();
            j.WriteString("name", i.Name);
            Num(j, "usd", i.Usd, 4);
            j.WriteString("basis", i.Basis);
            j.WriteEndObject();
        }
        j.WriteEndArray();
    }

    private static void Opt(Utf8JsonWriter j, string name, double? v, int digits)
    {
        if (v is { } x) Num(j, name, x, digits);
        else j.WriteNull(name);
    }

    private static void Num(Utf8JsonWriter j, string name, double v, int digits)
    {
        if (!double.IsFinite(v)) j.WriteNull(name);
        else j.WriteNumber(name, Math.Round(v, digits));
    }
}
