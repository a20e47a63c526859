using System.Globalization;
using System.Net;
using System.Text;
using Lever.Core.Levers;
using Lever.Lab;
using Lever.Lab.Data;
using Lever.Lab.Reporting;

using static Lever.Reports.Internal.Html;

namespace Lever.Reports;

/// <summary>
/// report.html: one self-contained file (inline CSS and SVG, no scripts, no network) with the quality-versus-cost
/// frontier, the per-recipe table, confusion matrices, the data split, and the recommendation with its rationale.
/// </summary>
public static class LabPage
{
    private const int ChartWidth = 936, ChartHeight = 480, Left = 72, Right = 24, Top = 24, Bottom = 64;

    /// <summary>Renders the report.</summary>
    public static string Render(string title, IReadOnlyList<RecipeResult> results, LabRecommendation recommendation, DatasetStats stats, LabConfiguration config,
        IReadOnlyList<HostedQuote>? quotes = null)
    {
        var picked = recommendation.Recipe;
        // An extraction lab's quality is its token-F1 or field F1, and it has no classes to draw matrices of.
        var extraction = results.Any(r => r.Extraction is not null);
        var metric = QualityName(results);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lever lab — ").Append(E(title)).Append("</title><style>")
         .Append(Css).Append("</style></head><body><main>");
        h.Append("<h1>Lever lab: ").Append(E(title)).Append("</h1>");
        h.Append("<p class=\"sub\">Every recipe measured on the same ").Append(stats.Splits.GetValueOrDefault("test")?.Values.Sum() ?? 0)
         .Append(" held-out test items, priced at ").Append(LabFormat.Volume(config.RequestsPerMonth)).Append(" answers per month. Generated ")
         .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append(" UTC.</p>");

        // 1) The recommendation first: it is what the reader came for.
        h.Append("<section class=\"rec\"><h2>Recommendation</h2>");
        h.Append("<p class=\"primary\">").Append(recommendation.Primary is { } primary ? $"<b>{E(LeverKinds.Name(primary))}</b>" : "none")
         .Append(picked is null ? "" : $" — recipe <code>{E(picked)}</code>").Append("</p>");
        if (recommendation.Source is { } source) h.Append("<p class=\"src\">Source: ").Append(E(source)).Append("</p>");
        if (recommendation.Summary is { } summary) h.Append("<p>").Append(E(summary)).Append("</p>");
        AppendRecommendation(h, recommendation);
        h.Append("</section>");

        // 2) Frontier chart.
        h.Append("<section><h2>Quality versus cost</h2><p class=\"sub\">").Append(E(char.ToUpperInvariant(metric[0]) + metric[1..])).Append(" on the test split against cost per 1,000 answers (log scale). ")
         .Append("Up and to the left is better; the dashed line joins the recipes no other recipe beats on both.</p>");
        h.Append(Chart(results, picked));
        h.Append(Legend(results));
        h.Append("</section>");

        // 3) Table.
        h.Append("<section><h2>Recipes</h2><table class=\"grid recipes\"><thead><tr><th>recipe</th><th>lever</th>")
         .Append(extraction ? "<th>exact match</th><th>token-F1</th><th>field precision</th><th>field recall</th><th>field F1</th>" : "<th>accuracy</th><th>macro-F1</th>")
         .Append("<th>latency p50</th><th>latency p95</th><th>train</th><th>cost / 1k</th><th>per month</th></tr></thead><tbody>");
        foreach (var r in results.OrderByDescending(r => r.Quality))
        {
            h.Append(r.Name == picked ? "<tr class=\"pick\">" : "<tr>")
             .Append("<td><b>").Append(E(r.Name)).Append("</b><div class=\"desc\">").Append(E(r.Description)).Append("</div></td>")
             .Append("<td><span class=\"lever\" style=\"background:").Append(Color(r.Lever)).Append("\">").Append(E(LeverKinds.Name(r.Lever))).Append("</span></td>")
             .Append(Quality(r))
             .Append("<td>").Append(LabFormat.Ms(r.LatencyMsP50)).Append("</td><td>").Append(LabFormat.Ms(r.LatencyMsP95)).Append("</td>")
             .Append("<td>").Append(F(r.TrainSeconds, "0.0")).Append(" s</td>")
             .Append("<td>").Append(LabFormat.Usd(r.Cost.Per1kUsd)).Append("</td>")
             .Append("<td>").Append(LabFormat.Usd(r.Cost.MonthlyUsd)).Append("</td></tr>");
        }
        h.Append("</tbody></table></section>");

        // 3b) What the price book's hosted models would cost here: priced, not measured.
        if (quotes is { Count: > 0 })
        {
            h.Append("<section><h2>Hosted models, priced not measured</h2><p class=\"sub\">The lab's zero-shot prompt on each hosted model of the price book, at list prices and ")
             .Append(LabFormat.Volume(config.RequestsPerMonth)).Append(" answers per month: ").Append(E(HostedQuote.TokenBasis))
             .Append(". Their quality on this data is unknown until a provider is configured (docs/LAB.md, hosted recipes).</p>")
             .Append("<table class=\"grid small\"><thead><tr><th>model</th><th>input tokens</th><th>output tokens</th><th>$ / 1k answers</th><th>$ / month</th><th>price source</th></tr></thead><tbody>");
            foreach (var q in quotes)
                h.Append("<tr><td>").Append(E(q.Model)).Append("</td><td>").Append(F(q.InputTokens, "#,0")).Append("</td><td>").Append(F(q.OutputTokens, "#,0"))
                 .Append("</td><td>").Append(LabFormat.Usd(q.Per1kUsd)).Append("</td><td>").Append(LabFormat.Usd(q.MonthlyUsd)).Append("</td><td>").Append(E(q.Source)).Append("</td></tr>");
            h.Append("</tbody></table></section>");
        }

        // 4) Confusion matrices.
        if (!extraction)
        {
            h.Append("<section><h2>Confusion matrices</h2><p class=\"sub\">Rows: true class. Columns: predicted class. Shading: share of the row.</p><div class=\"cms\">");
            foreach (var r in results) h.Append(Confusion(r));
            h.Append("</div></section>");
        }

        // 5) Data and method.
        h.Append("<section><h2>Data</h2><table class=\"grid small\"><thead><tr><th>split</th>");
        var labels = stats.Splits.Values.SelectMany(s => s.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var l in labels) h.Append("<th>").Append(E(l)).Append("</th>");
        h.Append("<th>total</th></tr></thead><tbody>");
        foreach (var (split, counts) in stats.Splits)
        {
            h.Append("<tr><td>").Append(E(split)).Append("</td>");
            foreach (var l in labels) h.Append("<td>").Append(counts.GetValueOrDefault(l)).Append("</td>");
            h.Append("<td>").Append(counts.Values.Sum()).Append("</td></tr>");
        }
        h.Append("</tbody></table><p class=\"sub\">Groups: ").Append(E(string.Join(", ", stats.Groups.Select(g => $"{g.Key} {g.Value}"))))
         .Append(". Test items identical to a training item: ").Append(stats.TestDuplicatesOfTrain).Append(".</p></section>");
        Internal.LabSettingsSection.Append(h, results, config.Options);
        var c = config.Options.Compute;
        h.Append("<section><h2>How cost is computed</h2><p class=\"formula\">cost per 1,000 answers = 1000 × ( mean latency (s) × answer cores × ")
         .Append(F(c.CpuHourUsd, "0.####")).Append(" $/core-hour ÷ 3600 + provider-billed cost per answer + training seconds × training cores × ")
         .Append(F(c.CpuHourUsd, "0.####")).Append(" ÷ 3600 ÷ (").Append(c.AmortizeMonths).Append(" months × ")
         .Append(LabFormat.Volume(config.RequestsPerMonth)).Append(" answers/month) )</p><p class=\"sub\">Volume from ")
         .Append(E(config.VolumeSource)).Append(". Latency is wall-clock time per answer, one answer at a time, after one untimed warm-up answer.</p></section>");
        h.Append("</main></body></html>\n");
        return h.ToString();
    }

    /// <summary>The primary metric's name in words: accuracy, token-F1 or field F1.</summary>
    private static string QualityName(IReadOnlyList<RecipeResult> results) =>
        results.FirstOrDefault(r => r.Extraction is not null)?.Extraction!.QualityMetric switch { "field_f1" => "field F1", "token_f1" => "token-F1", _ => "accuracy" };

    /// <summary>A row's quality cells: accuracy and macro-F1, or an extraction's exact match, token-F1 and field scores.</summary>
    private static string Quality(RecipeResult r)
    {
        if (r.Extraction is not { } x) return $"<td>{LabFormat.Pct(r.Metrics.Accuracy)}</td><td>{F(r.Metrics.MacroF1, "0.0000")}</td>";
        static string Cell(double? v) => v is { } d ? $"<td>{F(d, "0.000")}</td>" : "<td>—</td>";
        return $"<td>{LabFormat.Pct(x.ExactMatch)}</td>{Cell(x.TokenF1)}{Cell(x.FieldPrecision)}{Cell(x.FieldRecall)}{Cell(x.FieldF1)}";
    }

    private static string Chart(IReadOnlyList<RecipeResult> results, string? picked)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{ChartWidth}\" height=\"{ChartHeight}\" viewBox=\"0 0 {ChartWidth} {ChartHeight}\" role=\"img\" aria-label=\"accuracy versus cost per 1000 answers\">");
        s.Append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
        if (results.Count == 0) return s.Append("</svg>").ToString();
        var costs = results.Select(r => Math.Max(r.Cost.Per1kUsd, 1e-12)).ToList();
        var xMin = Math.Floor(Math.Log10(costs.Min())) - (costs.Max() / costs.Min() < 10 ? 1 : 0);
        var xMax = Math.Ceiling(Math.Log10(costs.Max())) + (costs.Max() / costs.Min() < 10 ? 1 : 0);
        if (xMax - xMin < 2) xMax = xMin + 2;
        var accMin = results.Min(r => r.Quality);
        var yMin = Math.Max(0, Math.Floor((accMin - 0.02) * 20) / 20);
        const double yMax = 1.0;
        var yStep = yMax - yMin > 0.5 ? 0.1 : yMax - yMin > 0.2 ? 0.05 : 0.02;
        double X(double cost) => Left + (Math.Log10(Math.Max(cost, 1e-12)) - xMin) / (xMax - xMin) * (ChartWidth - Left - Right);
        double Y(double acc) => Top + (yMax - acc) / (yMax - yMin) * (ChartHeight - Top - Bottom);

        // Grid and axes.
        for (var d = xMin; d <= xMax + 1e-9; d++)
        {
            var x = X(Math.Pow(10, d));
            s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{Top}\" x2=\"{x:F1}\" y2=\"{ChartHeight - Bottom}\" stroke=\"#e5e7eb\"/>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{ChartHeight - Bottom + 20}\" text-anchor=\"middle\" class=\"tick\">{E(DecadeLabel(d))}</text>");
        }
        var firstTick = (int)Math.Ceiling(yMin / yStep - 1e-9);
        var lastTick = (int)Math.Floor(yMax / yStep + 1e-9);
        for (var k = firstTick; k <= lastTick; k++)
        {
            var a = k * yStep;
            var y = Y(a);
            s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{ChartWidth - Right}\" y2=\"{y:F1}\" stroke=\"#e5e7eb\"/>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\" class=\"tick\">{a * 100:0}%</text>");
        }
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{ChartHeight - Bottom}\" x2=\"{ChartWidth - Right}\" y2=\"{ChartHeight - Bottom}\" stroke=\"#374151\"/>");
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{ChartHeight - Bottom}\" stroke=\"#374151\"/>");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + ChartWidth - Right) / 2}\" y=\"{ChartHeight - 18}\" text-anchor=\"middle\" class=\"axis\">cost per 1,000 answers (USD, log scale)</text>");
        s.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(18 {(Top + ChartHeight - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{E(QualityName(results))} (test split)</text>");

        // The frontier: recipes no other recipe beats on both accuracy and cost, in cost order.
        var frontier = results.Where(r => !results.Any(o => o != r && o.Quality >= r.Quality && o.Cost.Per1kUsd <= r.Cost.Per1kUsd
                                                             && (o.Quality > r.Quality || o.Cost.Per1kUsd < r.Cost.Per1kUsd)))
            .OrderBy(r => r.Cost.Per1kUsd).ToList();
        if (frontier.Count > 1)
            s.Append("<polyline fill=\"none\" stroke=\"#9ca3af\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\" points=\"")
             .Append(string.Join(' ', frontier.Select(r => F(X(r.Cost.Per1kUsd), "0.0") + "," + F(Y(r.Quality), "0.0")))).Append("\"/>");

        // Points, then labels placed greedily where they overlap no other label or point.
        var placed = new List<(double X, double Y, double W, double H)>();
        var points = results.Select(r => (r, x: X(r.Cost.Per1kUsd), y: Y(r.Quality))).ToList();
        foreach (var (_, x, y) in points) placed.Add((x - 7, y - 7, 14, 14));
        foreach (var (r, x, y) in points)
        {
            var ring = r.Name == picked ? " stroke=\"#111827\" stroke-width=\"2.5\"" : " stroke=\"#fff\" stroke-width=\"1.5\"";
            s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"7\" fill=\"{Color(r.Lever)}\"{ring}><title>{E(r.Name)}: {LabFormat.Pct(r.Quality)}, {E(LabFormat.Usd(r.Cost.Per1kUsd))}/1k</title></circle>");
        }
        foreach (var (r, x, y) in points.OrderBy(p => p.y))
        {
            var text = $"{r.Name} {LabFormat.Pct(r.Quality)}";
            var w = text.Length * 6.6 + 4;
            const double hgt = 15;
            // Right of the point, then left, ever further up and down; with ten recipes a cluster needs the far rows.
            var tries = new[] { -18.0, 4, 20, -34, 36, -50, 52, -66, 68, -82, 84 }.SelectMany(dy => new[] { (dx: 10.0, dy), (dx: -10 - w, dy) }).ToList();
            (double X, double Y, double W, double H)? firstInside = null;
            (double X, double Y, double W, double H)? free = null;
            foreach (var (dx, dy) in tries)
            {
                var candidate = (X: x + dx, Y: y + dy, W: w, H: hgt);
                var inside = candidate.X >= Left + 2 && candidate.X + w <= ChartWidth - Right && candidate.Y >= 2 && candidate.Y + hgt <= ChartHeight - Bottom - 2;
                if (!inside) continue;
                firstInside ??= candidate;
                if (!placed.Any(p => Overlap(p, candidate)))
                {
                    free = candidate;
                    break;
                }
            }
            // No free spot: inside the plot even if it overlaps (a label cut off at the edge is worse).
            var box = free ?? firstInside ?? (X: x + 10, Y: y - 18, W: w, H: hgt);
            placed.Add(box);
            // A leader line when the label had to move away from its point, so crowded charts stay unambiguous.
            var nearX = Math.Clamp(x, box.X, box.X + box.W);
            var nearY = Math.Clamp(y, box.Y, box.Y + box.H);
            if (Math.Sqrt((nearX - x) * (nearX - x) + (nearY - y) * (nearY - y)) > 8)
                s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{y:F1}\" x2=\"{nearX:F1}\" y2=\"{nearY:F1}\" stroke=\"#9ca3af\" stroke-width=\"1\"/>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{box.X + 2:F1}\" y=\"{box.Y + 11.5:F1}\" class=\"label\">{E(text)}</text>");
        }
        return s.Append("</svg>").ToString();
    }

    private static bool Overlap((double X, double Y, double W, double H) a, (double X, double Y, double W, double H) b) =>
        a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;

    private static string Legend(IReadOnlyList<RecipeResult> results)
    {
        var s = new StringBuilder("<div class=\"legend\">");
        foreach (var lever in results.Select(r => r.Lever).Distinct())
            s.Append("<span><i style=\"background:").Append(Color(lever)).Append("\"></i>").Append(E(LeverKinds.Name(lever))).Append("</span>");
        return s.Append("<span><i class=\"ring\"></i>recommended</span></div>").ToString();
    }

    private static string Confusion(RecipeResult r)
    {
        var m = r.Metrics;
        var s = new StringBuilder("<div class=\"cm\"><h3>").Append(E(r.Name)).Append("</h3><table><tr><th>true \\ predicted</th>");
        foreach (var c in m.Columns) s.Append("<th>").Append(E(c)).Append("</th>");
        s.Append("</tr>");
        for (var i = 0; i < m.Labels.Count; i++)
        {
            var total = Math.Max(1, m.Columns.Sum(c => m.Cell(m.Labels[i], c)));
            s.Append("<tr><th>").Append(E(m.Labels[i])).Append("</th>");
            for (var j = 0; j < m.Columns.Count; j++)
            {
                var count = m.Cell(m.Labels[i], m.Columns[j]);
                var share = (double)count / total;
                var rgb = i == j ? "22,163,74" : "220,38,38";
                s.Append(CultureInfo.InvariantCulture, $"<td style=\"background:rgba({rgb},{0.08 + 0.6 * share:F2})\">{count}</td>");
            }
            s.Append("</tr>");
        }
        return s.Append("</table><p>F1 ").Append(E(string.Join(", ", m.Labels.Select(l => $"{l} {m.F1Of(l):0.000}")))).Append("</p></div>").ToString();
    }

    /// <summary>The recommendation's rationale (each advisor rule with the source it rests on), plan and warnings as HTML lists.</summary>
    internal static void AppendRecommendation(StringBuilder h, LabRecommendation recommendation)
    {
        AppendList(h, "Rationale", recommendation.Advice is { } advice ? advice.Rationale.Select(r => $"{r.Text} ({r.Source})").ToList() : recommendation.Rationale);
        AppendList(h, "Plan", recommendation.Plan);
        AppendList(h, "Warnings", recommendation.Warnings);
    }

    private static void AppendList(StringBuilder h, string heading, IReadOnlyList<string> items)
    {
        if (items.Count == 0) return;
        h.Append("<h3>").Append(heading).Append("</h3><ul>");
        foreach (var item in items) h.Append("<li>").Append(E(item)).Append("</li>");
        h.Append("</ul>");
    }

    internal static string Color(LeverKind lever) => lever switch
    {
        LeverKind.Baseline => "#6b7280",
        LeverKind.Prompt => "#2563eb",
        LeverKind.PromptCaching => "#0891b2",
        LeverKind.Rag => "#059669",
        LeverKind.FineTuneLora => "#d97706",
        LeverKind.FineTuneQlora => "#ca8a04",
        LeverKind.FineTuneFull => "#dc2626",
        LeverKind.Distill => "#7c3aed",
        _ => "#db2777",
    };

    private static string DecadeLabel(double d) => d switch
    {
        >= 0 => "$" + Math.Pow(10, d).ToString("#,0", CultureInfo.InvariantCulture),
        >= -2 => "$" + Math.Pow(10, d).ToString("0.##", CultureInfo.InvariantCulture),
        _ => "$1e" + d.ToString("0", CultureInfo.InvariantCulture),
    };



    private static readonly string Css = Internal.Html.BaseCss(1000) + """
        .rec h2{border:none}.primary{font-size:20px;margin:4px 0}.src{color:#047857;margin:2px 0}
        .rec ul{margin:4px 0 8px;padding-left:22px}
        svg{display:block;max-width:100%;height:auto}.tick{font-size:12px;fill:#4b5563}.axis{font-size:13px;fill:#111827}
        .label{font-size:12px;fill:#111827;font-weight:600}
        .legend{display:flex;gap:18px;flex-wrap:wrap;margin:6px 0 0 72px;font-size:13px;color:#374151}
        .legend i{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px;vertical-align:-1px}
        .legend i.ring{border:2.5px solid #111827;width:7px;height:7px}
        table.grid{border-collapse:collapse;width:100%;font-size:14px}
        .grid th,.grid td{border-bottom:1px solid #e5e7eb;padding:7px 8px;text-align:right;vertical-align:top}
        .grid th:first-child,.grid td:first-child,.recipes th:nth-child(2),.recipes td:nth-child(2){text-align:left}
        .recipes td{white-space:nowrap}.recipes td:first-child{white-space:normal}
        .grid.small{width:auto}.grid thead th{background:#f9fafb}
        tr.pick td{background:#ecfdf5}.desc{font-size:12px;color:#6b7280;font-weight:normal;max-width:320px}
        .lever{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
        .cms{display:flex;flex-wrap:wrap;gap:16px}.cm{border:1px solid #e5e7eb;border-radius:8px;padding:4px 14px 4px}
        .cm table{border-collapse:collapse;font-size:14px}.cm th,.cm td{padding:6px 12px;text-align:right;border:1px solid #f3f4f6}
        .cm p{font-size:12px;color:#4b5563;margin:6px 0}
        .formula{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;padding:10px}
        code{font-family:ui-monospace,Menlo,Consolas,monospace}
        """;
}
