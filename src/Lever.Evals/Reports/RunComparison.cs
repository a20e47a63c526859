using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Evals.Metrics;
using Lever.Evals.Running;

namespace Lever.Evals;

/// <summary>
/// Runs side by side: quality with a bootstrap 95% CI, latency, cost per 1k answers, a paired McNemar test of
/// each run against the first on the items both answered, and the quality-versus-cost Pareto frontier.
/// </summary>
public static class RunComparison
{
    /// <summary>Compares the runs in <paramref name="runDirs"/>; the first is the baseline of the paired tests.</summary>
    public static ComparisonResult Compare(IReadOnlyList<string> runDirs)
    {
        if (runDirs.Count == 0) throw new LeverUserException("compare needs at least one run", "pass run ids (folders under .lever/runs) or paths");
        var runs = runDirs.Select(Load).ToList();
        var baseline = runs[0].Results.GroupBy(r => r.ItemHash).ToDictionary(g => g.Key, g => g.Last().Passed, StringComparer.Ordinal);
        var rows = new List<ComparisonRow>();
        foreach (var (dir, summary, results) in runs)
        {
            var passes = results.Select(r => r.Passed ? 1.0 : 0.0).ToList();
            var (low, high) = Statistics.BootstrapMeanCi(passes);
            int onlyBase = 0, onlyThis = 0, paired = 0;
            foreach (var r in results)
            {
                if (!baseline.TryGetValue(r.ItemHash, out var b)) continue;
                paired++;
                if (b && !r.Passed) onlyBase++;
                else if (!b && r.Passed) onlyThis++;
            }
            rows.Add(new ComparisonRow
            {
                Run = summary.GetProperty("run").GetString() ?? Path.GetFileName(dir),
                Recipe = summary.GetProperty("recipe").GetString() ?? "",
                Items = results.Count,
                Quality = passes.Count == 0 ? 0 : passes.Average(),
                QualityCiLow = low,
                QualityCiHigh = high,
                CostPer1kUsd = summary.TryGetProperty("cost_per_1k_usd", out var c) ? c.GetDouble() : 0,
                LatencyMsP50 = summary.TryGetProperty("latency_ms_p50", out var p50) ? p50.GetDouble() : 0,
                LatencyMsP95 = summary.TryGetProperty("latency_ms_p95", out var p95) ? p95.GetDouble() : 0,
                PairedItems = paired,
                OnlyBaselineRight = onlyBase,
                OnlyThisRight = onlyThis,
                McNemarP = Statistics.McNemarExact(onlyBase, onlyThis),
            });
        }
        var frontier = rows.Where(a => !rows.Any(b => !ReferenceEquals(a, b) && Dominates(b, a))).Select(r => r.Run).ToList();
        return new ComparisonResult(rows, frontier);
    }

    /// <summary>b dominates a: no worse on quality and cost, strictly better on one.</summary>
    private static bool Dominates(ComparisonRow b, ComparisonRow a) =>
        b.Quality >= a.Quality && b.CostPer1kUsd <= a.CostPer1kUsd && (b.Quality > a.Quality || b.CostPer1kUsd < a.CostPer1kUsd);

    private static (string Dir, JsonElement Summary, List<ItemResult> Results) Load(string dir)
    {
        var summaryPath = Path.Combine(dir, EvalRunner.SummaryFile);
        if (!File.Exists(summaryPath)) throw new LeverUserException($"{dir}: not an eval run (no summary.json)", "pass a folder under .lever/runs, or its id");
        using var doc = JsonDocument.Parse(File.ReadAllText(summaryPath));
        var summary = doc.RootElement.Clone();
        var hash = summary.GetProperty("recipe_hash").GetString();
        var results = ResultStore<ItemResult>.ReadAll(Path.Combine(dir, EvalRunner.ResultsFile)).Where(r => r.RecipeHash == hash)
            .GroupBy(r => r.ItemHash).Select(g => g.Last()).ToList();
        return (dir, summary, results);
    }

    /// <summary>An HTML page with the table and the quality-versus-cost chart (frontier joined by a line).</summary>
    public static string Html(ComparisonResult result)
    {
        static string F(double v, string f = "0.###") => v.ToString(f, CultureInfo.InvariantCulture);
        var sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Lever compare</title><style>body{font-family:sans-serif;max-width:820px;margin:2em auto}td,th{padding:2px 8px}</style></head><body><h1>Runs compared</h1><table><tr><th>run</th><th>quality [95% CI]</th><th>$/1k</th><th>p50 ms</th><th>p95 ms</th><th>McNemar p vs first</th></tr>");
        foreach (var r in result.Rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(r.Run)}</td><td>{F(r.Quality)} [{F(r.QualityCiLow)}, {F(r.QualityCiHigh)}]</td><td>{F(r.CostPer1kUsd, "0.####")}</td><td>{F(r.LatencyMsP50, "0.0")}</td><td>{F(r.LatencyMsP95, "0.0")}</td><td>{F(r.McNemarP, "0.####")}</td></tr>");
        }
        sb.Append("</table><h2>Quality versus cost</h2>");
        double maxCost = Math.Max(1e-9, result.Rows.Max(r => r.CostPer1kUsd));
        const int w = 600, h = 320, pad = 50;
        double X(double cost) => pad + (w - 2 * pad) * cost / maxCost;
        double Y(double q) => h - pad - (h - 2 * pad) * q;
        sb.Append(CultureInfo.InvariantCulture, $"<svg width=\"{w}\" height=\"{h}\" role=\"img\"><line x1=\"{pad}\" y1=\"{h - pad}\" x2=\"{w - pad}\" y2=\"{h - pad}\" stroke=\"#333\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{h - pad}\" stroke=\"#333\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{w / 2}\" y=\"{h - 12}\" font-size=\"12\">cost per 1k answers (USD, max {F(maxCost, "0.####")})</text><text x=\"4\" y=\"{pad - 10}\" font-size=\"12\">quality</text>");
        var front = result.Rows.Where(r => result.Frontier.Contains(r.Run)).OrderBy(r => r.CostPer1kUsd).ToList();
        if (front.Count > 1)
            sb.Append("<polyline fill=\"none\" stroke=\"#d04a4a\" points=\"").Append(string.Join(' ', front.Select(r => F(X(r.CostPer1kUsd), "0.#") + "," + F(Y(r.Quality), "0.#")))).Append("\"/>");
        foreach (var r in result.Rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(r.CostPer1kUsd), "0.#")}\" y1=\"{F(Y(r.QualityCiLow), "0.#")}\" x2=\"{F(X(r.CostPer1kUsd), "0.#")}\" y2=\"{F(Y(r.QualityCiHigh), "0.#")}\" stroke=\"#999\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(r.CostPer1kUsd), "0.#")}\" cy=\"{F(Y(r.Quality), "0.#")}\" r=\"5\" fill=\"{(result.Frontier.Contains(r.Run) ? "#d04a4a" : "#4a7bd0")}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(r.CostPer1kUsd) + 8, "0.#")}\" y=\"{F(Y(r.Quality) + 4, "0.#")}\" font-size=\"11\">{WebUtility.HtmlEncode(r.Recipe)}</text>");
        }
        return sb.Append("</svg></body></html>\n").ToString();
    }
}
