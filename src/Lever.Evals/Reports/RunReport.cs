using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lever.Evals.Data;
using Lever.Evals.Diagnosis;
using Lever.Evals.Metrics;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Evals.Scoring;
using Lever.Retrieval.Evaluation;

namespace Lever.Evals;

/// <summary>Turns a run's results into summary.json, report.md and report.html (bar charts as inline SVG, no scripts).</summary>
public static class RunReport
{
    /// <summary>Summarizes the results that belong to <paramref name="set"/> under <paramref name="recipe"/>.</summary>
    public static RunSummary Summarize(string runId, Recipe recipe, EvalSet set, IReadOnlyList<ItemResult> allResults, IReadOnlyList<ItemError> errors)
    {
        var recipeHash = recipe.Hash();
        var byHash = allResults.Where(r => r.RecipeHash == recipeHash).GroupBy(r => r.ItemHash).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var results = set.Items.Where(i => byHash.ContainsKey(i.Hash)).Select(i => byHash[i.Hash]).ToList();
        var stillFailing = errors.Where(e => !byHash.ContainsKey(e.ItemHash)).GroupBy(e => e.ItemHash).Select(g => g.Last()).ToList();

        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["pass_rate"] = results.Count == 0 ? 0 : (double)results.Count(r => r.Passed) / results.Count,
        };
        foreach (var name in results.SelectMany(r => r.Scores.Keys).Distinct())
            metrics[name] = results.Where(r => r.Scores.ContainsKey(name)).Average(r => r.Scores[name]);

        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? confusion = null;
        if (recipe.Parser.Kind == "label")
        {
            var pairs = results.Where(r => r.Expected is not null).Select(r => (r.Expected!, r.ParseError is null ? r.Prediction : null)).ToList();
            var report = ClassificationReport.Compute(pairs, recipe.Parser.Labels);
            metrics["accuracy"] = report.Accuracy;
            metrics["macro_f1"] = report.MacroF1;
            confusion = report.Confusion;
        }
        else
        {
            // The advisor compares recipes by "accuracy": for non-label recipes that is the primary scorer's pass rate.
            metrics["accuracy"] = metrics["pass_rate"];
        }
        // Field-level scores of JSON answers, micro-averaged: an invented field costs precision, a missed one recall.
        if (results.Any(r => r.JsonFields is not null))
        {
            var (precision, recall, f1) = FieldCounts.Micro(results.Select(r => r.JsonFields).OfType<FieldCounts>());
            metrics["json_field_precision"] = precision;
            metrics["json_field_recall"] = recall;
            metrics["json_field_f1"] = f1;
        }
        // Ranked documents when the answerer searched deeper than it read, else the passages the prompt held.
        static List<string> RankedOf(ItemResult r) => r.Ranked ?? r.Passages;
        var withRelevant = set.Items.Where(i => i.Relevant.Count > 0 && byHash.ContainsKey(i.Hash) && RankedOf(byHash[i.Hash]).Count > 0).ToList();
        if (withRelevant.Count > 0)
        {
            double recall = 0, mrr = 0, ndcg = 0;
            foreach (var i in withRelevant)
            {
                var ranked = RankedOf(byHash[i.Hash]);
                var relevant = i.Relevant.ToHashSet(StringComparer.Ordinal);
                recall += RetrievalMetrics.RecallAt(ranked, relevant, ranked.Count);
                mrr += RetrievalMetrics.ReciprocalRank(ranked, relevant);
                ndcg += RetrievalMetrics.NdcgAt(ranked, relevant, 10);
            }
            metrics["retrieval_recall_at_k"] = recall / withRelevant.Count;
            metrics["retrieval_mrr"] = mrr / withRelevant.Count;
            metrics["retrieval_ndcg_at_10"] = ndcg / withRelevant.Count;
        }

        var diagnosis = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var levers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in FailureCategory.All)
        {
            diagnosis[c] = results.Count(r => r.Diagnosis?.Category == c);
            levers[c] = FailureCategory.LeverFor(c);
        }
        var failures = new SortedDictionary<string, int>(stillFailing.GroupBy(e => e.Category).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
        double cost = results.Sum(r => r.CostUsd);
        var latencies = results.Select(r => r.LatencyMs).ToList();
        return new RunSummary
        {
            Run = runId,
            Recipe = recipe.Name,
            Lever = recipe.Lever,
            RecipeHash = recipeHash,
            Provider = recipe.Provider,
            Model = recipe.Model,
            Set = set.Path,
            SetHash = set.Hash,
            Items = set.Items.Count,
            Completed = results.Count,
            Failed = stillFailing.Count,
            Passed = results.Count(r => r.Passed),
            Metrics = metrics,
            CostUsd = cost,
            CostPer1kUsd = results.Count == 0 ? 0 : cost / results.Count * 1000,
            LatencyMsP50 = Percentile.Of(latencies, 50),
            LatencyMsP95 = Percentile.Of(latencies, 95),
            InputTokens = results.Sum(r => r.Usage.Input),
            CachedInputTokens = results.Sum(r => r.Usage.CachedInput),
            OutputTokens = results.Sum(r => r.Usage.Output),
            Diagnosis = diagnosis,
            Levers = levers,
            CallFailures = failures,
            ByTag = new SortedDictionary<string, TagSlice>(results.SelectMany(r => r.Tags.Select(t => (Tag: t, r.Passed))).GroupBy(x => x.Tag)
                .ToDictionary(g => g.Key, g => new TagSlice(g.Count(), (double)g.Count(x => x.Passed) / g.Count())), StringComparer.Ordinal),
            Confusion = confusion,
            FinishedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Writes summary.json, report.md and report.html into <paramref name="runDir"/>.</summary>
    public static void Write(string runDir, RunSummary summary, IReadOnlyList<ItemResult> results)
    {
        WriteAtomically(Path.Combine(runDir, EvalRunner.SummaryFile), JsonSerializer.Serialize(summary, EvalJson.Indented) + "\n");
        WriteAtomically(Path.Combine(runDir, "report.md"), Markdown(summary, results));
        WriteAtomically(Path.Combine(runDir, "report.html"), Html(summary));
    }

    private static void WriteAtomically(string path, string text)
    {
        // Write then rename: a reader (or a kill) never sees half a summary.
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }

    private static string F(double v, string format = "0.###") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Markdown(RunSummary s, IReadOnlyList<ItemResult> results)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# Eval run {s.Run}\n\nRecipe **{s.Recipe}** (`{s.RecipeHash[..12]}`), provider {s.Provider}, model {s.Model ?? "(provider default)"}; set `{s.Set}`.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Items {s.Items}, completed {s.Completed}, failed calls {s.Failed}, passed {s.Passed}.\n\n");
        sb.Append("| metric | value |\n|---|---|\n");
        foreach (var (k, v) in s.Metrics) sb.Append(CultureInfo.InvariantCulture, $"| {k} | {F(v)} |\n");
        sb.Append(CultureInfo.InvariantCulture, $"\nLatency p50 {F(s.LatencyMsP50, "0.0")} ms, p95 {F(s.LatencyMsP95, "0.0")} ms. Tokens: input {s.InputTokens} (cached {s.CachedInputTokens}), output {s.OutputTokens}. Cost ${F(s.CostUsd, "0.######")} (${F(s.CostPer1kUsd, "0.####")} per 1k answers).\n\n");
        sb.Append("## Failure diagnosis\n\n| category | items | lever |\n|---|---|---|\n");
        foreach (var (k, v) in s.Diagnosis) sb.Append(CultureInfo.InvariantCulture, $"| {k} | {v} | {s.Levers[k]} |\n");
        var failed = results.Where(r => !r.Passed && r.Diagnosis is not null).Take(20).ToList();
        if (failed.Count > 0)
        {
            sb.Append("\n## Failed items (first 20)\n\n| id | category | reason |\n|---|---|---|\n");
            foreach (var r in failed) sb.Append(CultureInfo.InvariantCulture, $"| {r.Id} | {r.Diagnosis!.Category} | {r.Diagnosis.Reason.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }
        return sb.ToString();
    }

    private static string Html(RunSummary s)
    {
        static string Bars(IEnumerable<(string Label, double Value)> rows, double max, string unit)
        {
            var list = rows.ToList();
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"<svg width=\"520\" height=\"{list.Count * 26 + 6}\" role=\"img\">");
            for (int i = 0; i < list.Count; i++)
            {
                double w = max <= 0 ? 0 : 300 * list[i].Value / max;
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{i * 26 + 18}\" font-size=\"13\">{WebUtility.HtmlEncode(list[i].Label)}</text>");
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"150\" y=\"{i * 26 + 5}\" width=\"{F(w, "0.#")}\" height=\"18\" fill=\"#4a7bd0\"/>");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(156 + w, "0.#")}\" y=\"{i * 26 + 18}\" font-size=\"12\">{F(list[i].Value)}{unit}</text>");
            }
            return sb.Append("</svg>").ToString();
        }
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Lever eval ").Append(WebUtility.HtmlEncode(s.Run)).Append("</title>");
        html.Append("<style>body{font-family:sans-serif;max-width:760px;margin:2em auto}td,th{padding:2px 10px;text-align:left}</style></head><body>");
        html.Append("<h1>Eval run ").Append(WebUtility.HtmlEncode(s.Run)).Append("</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Recipe <b>{WebUtility.HtmlEncode(s.Recipe)}</b> · {s.Completed}/{s.Items} items · {s.Failed} failed calls · cost ${F(s.CostUsd, "0.######")} · p50 {F(s.LatencyMsP50, "0.0")} ms · p95 {F(s.LatencyMsP95, "0.0")} ms</p>");
        html.Append("<h2>Quality</h2>").Append(Bars(s.Metrics.Select(m => (m.Key, m.Value)), 1, ""));
        html.Append("<h2>Failure diagnosis</h2>").Append(Bars(s.Diagnosis.Select(d => ($"{d.Key} → {s.Levers[d.Key]}", (double)d.Value)), Math.Max(1, s.Diagnosis.Values.DefaultIfEmpty(0).Max()), ""));
        return html.Append("</body></html>\n").ToString();
    }
}
