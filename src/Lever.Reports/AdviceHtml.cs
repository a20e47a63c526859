using Lever.Core.Prices;
using System.Globalization;
using System.Net;
using System.Text;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Reports;

/// <summary>
/// The advice as one self-contained HTML page: no scripts, no external assets. Its chart plots each lever's
/// 12-month total cost against monthly volume (log–log) from the same curves the table and the break-even
/// figures come from, marks the declared volume, and numbers the break-even points against the primary.
/// </summary>
public static class AdviceHtml
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Okabe–Ito and Tableau hues: distinguishable for colour-blind readers, ten levers.
    private static readonly string[] Colors = ["#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#7F3C8D", "#8C564B", "#999933", "#332288"];

    /// <summary>The report for <paramref name="a"/>.</summary>
    public static string Write(Advice a)
    {
        var h = new StringBuilder();
        var primary = LeverKinds.Name(a.Primary);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lever advice: ").Append(E(primary)).Append("</title>\n<style>\n")
         .Append("body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px 32px;color:#1d2330;max-width:1320px}")
         .Append("h1{font-size:22px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 8px;border-bottom:1px solid #dde1e8;padding-bottom:4px}")
         .Append(".primary{display:inline-block;background:#0b7a3e;color:#fff;border-radius:4px;padding:2px 10px;font-weight:600}")
         .Append(".summary{font-size:15px;margin:8px 0 0}.muted{color:#667085}.warn li{color:#8a4b00}")
         .Append("table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e4e7ec;padding:5px 8px;text-align:left;vertical-align:top}")
         .Append("th{background:#f4f6f9;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}")
         .Append("tr.p td{background:#e8f5ee;font-weight:600}tr.nv td{color:#98a2b3}.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}")
         .Append("code{background:#f4f6f9;padding:0 3px;border-radius:3px}.rule{font-family:ui-monospace,monospace;color:#175cd3;font-size:12px}")
         .Append(".recommendation{border:2px solid #0b7a3e;border-radius:6px;padding:10px 14px;margin:10px 0 4px;background:#f3faf6}.recommendation p{margin:4px 0;font-size:15px}")
         .Append("details{margin:14px 0}details>summary{cursor:pointer;font-weight:600;font-size:16px}")
         .Append("</style></head><body>\n");
        h.Append("<h1>Lever advice <span class=\"primary\">").Append(E(primary)).Append("</span></h1>\n");
        // The recommendation box: the one sentence, then the date it was advised on; the long reasoning is collapsed below.
        h.Append("<div class=\"recommendation\"><p class=\"summary\">").Append(E(a.Recommendation.Length > 0 ? a.Recommendation : a.Summary)).Append("</p>")
         .Append("<p class=\"muted\">").Append(E($"advised on {a.Today.ToString("yyyy-MM-dd", Inv)}; gains count against the best simpler lever only when their 95% interval excludes zero")).Append("</p></div>\n");
        if (a.Measured.Count > 0) Evidence(h, a);
        var w = a.Workload;
        h.Append("<p class=\"muted\">").Append(E($"{SnakeCase.Of(w.Task.Kind)} · {w.Traffic.RequestsPerMonth.ToString("#,0", Inv)} requests/month · {w.Traffic.InputTokens:0} in / {w.Traffic.OutputTokens:0} out tokens · "
            + $"knowledge {w.Knowledge.CorpusTokens.ToString("#,0", Inv)} tokens ({SnakeCase.Of(w.Knowledge.Changes)}) · {w.Data.LabeledExamples.ToString("#,0", Inv)} labeled examples · "
            + $"{SnakeCase.Of(w.Constraints.Deployment)}, compliance {SnakeCase.Of(w.Constraints.Compliance)} · diagnosis from {a.Diagnosis.Source}")).Append("</p>\n");

        h.Append("<h2>Cost versus monthly volume</h2>\n<p class=\"muted\">12-month total cost of ownership = one-time + 12 × monthly cost, for each lever across monthly volumes. Dashed: the lever cannot do this job as declared (see notes). Numbered circles: break-even volumes against the primary.</p>\n");
        Chart(h, a);

        h.Append("<h2>Options</h2>\n<table><tr><th>lever</th><th>model</th><th>route</th><th class=\"n\">one-time</th><th class=\"n\">per 1k answers</th><th class=\"n\">monthly</th><th class=\"n\">12-month TCO</th><th class=\"n\">p95 ms</th><th>vs primary</th><th>notes</th></tr>\n");
        for (var i = 0; i < a.Options.Count; i++)
        {
            var o = a.Options[i];
            var cls = o.Lever == a.Primary ? " class=\"p\"" : o.Viable ? "" : " class=\"nv\"";
            h.Append("<tr").Append(cls).Append("><td><span class=\"sw\" style=\"background:").Append(Colors[i % Colors.Length]).Append("\"></span>").Append(E(LeverKinds.Name(o.Lever))).Append("</td><td>")
             .Append(E(o.Model)).Append("</td><td>").Append(E(o.Route)).Append("</td>")
             .Append(Td(Usd(o.OneTimeUsd), string.Join("\n", o.OneTime.Select(c => $"{c.Name}: {Usd(c.Usd)} = {c.Basis}"))))
             .Append(Td(Usd(o.CostPer1kAnswersUsd, 3), o.Usage.Basis))
             .Append(Td(Usd(o.MonthlyUsd), string.Join("\n", o.MonthlyFixed.Append(o.Usage).Select(c => $"{c.Name}: {Usd(c.Usd)} = {c.Basis}"))))
             .Append(Td(Usd(o.Tco12MonthsUsd), "one-time + 12 × monthly"))
             .Append(Td(o.LatencyP95Ms.ToString("#,0", Inv), o.LatencyBasis))
             .Append("<td>").Append(E(o.BreakEvenNote)).Append("</td><td>").Append(E(o.WhyNot ?? "")).Append("</td></tr>\n");
        }
        h.Append("</table>\n<p class=\"muted\">Hover a figure for its basis (inputs, price-book entry with source and date, policy field). `lever advise --json` has the same.</p>\n");

        h.Append("<details><summary>Full reasoning</summary>\n<p>").Append(E(a.Summary)).Append("</p>\n");
        h.Append("<h2>Why</h2>\n<ul>\n");
        foreach (var r in a.Rationale) h.Append("<li><span class=\"rule\">").Append(E(r.Rule)).Append("</span> ").Append(E(r.Text)).Append(" <span class=\"muted\">— ").Append(E(r.Source)).Append("</span></li>\n");
        h.Append("</ul>\n");
        if (a.Warnings.Count > 0)
        {
            h.Append("<h2>Warnings</h2>\n<ul class=\"warn\">\n");
            foreach (var x in a.Warnings) h.Append("<li>").Append(E(x)).Append("</li>\n");
            h.Append("</ul>\n");
        }
        h.Append("<h2>Plan</h2>\n<ol>\n");
        foreach (var x in a.Plan) h.Append("<li>").Append(E(x)).Append("</li>\n");
        h.Append("</ol>\n");
        var d = a.DataSufficiency;
        h.Append("<h2>Data sufficiency</h2>\n<p>").Append(E($"{d.HaveExamples.ToString("#,0", Inv)} labeled examples; band {d.Band}: {d.MinExamples.ToString("#,0", Inv)}–{d.RecommendedExamples.ToString("#,0", Inv)} → "
            + (d.Sufficient ? "sufficient" : $"{d.MissingExamples.ToString("#,0", Inv)} short") + $" ({d.Basis})")).Append("</p>\n");
        h.Append("</details>\n");
        h.Append("<p class=\"muted\">Prices: ").Append(E(a.PriceBook)).Append(" · policy: ").Append(E(a.Policy)).Append("</p>\n</body></html>\n");
        return h.ToString();
    }

    /// <summary>The compact evidence table: recipe, lever, quality ± 95% CI, $/1k, $/month, gain vs the best simpler option.</summary>
    private static void Evidence(StringBuilder h, Advice a)
    {
        h.Append("<h2>Measured evidence</h2>\n<table><tr><th>recipe</th><th>lever</th><th class=\"n\">quality (95% CI)</th><th class=\"n\">$/1k answers</th><th class=\"n\">$/month</th><th>gain vs best simpler</th><th>decision</th></tr>\n");
        foreach (var m in a.Measured)
        {
            var cls = m.Status == "primary" ? " class=\"p\"" : m.Status == "excluded" ? " class=\"nv\"" : "";
            var q = Pct(m.Quality) + (m.QualityLow is { } lo && m.QualityHigh is { } hi ? $" ({Pct(lo)}–{Pct(hi)})" : "");
            var gain = m.GainVsSimpler is { } g ? $"{g.Text} vs '{m.SimplerRecipe}'{(g.Demonstrated ? "" : $" — {g.Verdict}")}" : "— (simplest measured)";
            h.Append("<tr").Append(cls).Append("><td>").Append(E(m.Recipe)).Append("</td><td>").Append(E(LeverKinds.Name(m.Lever))).Append("</td>")
             .Append("<td class=\"n\">").Append(E(q)).Append("</td>")
             .Append("<td class=\"n\">").Append(E(m.CostPer1kUsd is { } c ? Small(c) : "—")).Append("</td>")
             .Append("<td class=\"n\">").Append(E(m.MonthlyUsd is { } mo ? Small(mo) : "—")).Append("</td>")
             .Append("<td title=\"").Append(E(m.GainVsSimpler is { } gi ? $"{gi.Method}, {gi.Items} items{(gi.PValue is { } pv ? $", p = {pv.ToString("0.###", Inv)}" : "")}" : "")).Append("\">").Append(E(gain)).Append("</td>")
             .Append("<td>").Append(E($"{m.Status}: {m.Note}")).Append("</td></tr>\n");
        }
        h.Append("</table>\n");
    }

    private static string Pct(double q) => (q * 100).ToString("0.00", Inv) + "%";

    /// <summary>Dollars with two significant digits below a cent (local costs are millionths of a dollar), cents above.</summary>
    private static string Small(double v)
    {
        if (v <= 0) return "$0";
        if (v >= 0.01) return "$" + v.ToString(v >= 100 ? "#,0" : "#,0.00", Inv);
        var decimals = Math.Min(12, 1 - (int)Math.Floor(Math.Log10(v)));
        return "$" + Math.Round(v, decimals).ToString("F" + decimals.ToString(Inv), Inv);
    }

    private static void Chart(StringBuilder h, Advice a)
    {
        const double width = 1300, height = 560, left = 90, right = 260, top = 20, bottom = 56;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var r0 = a.Workload.Traffic.RequestsPerMonth;
        var x0 = Math.Max(0, Math.Floor(Math.Log10(r0)) - 2);
        var x1 = Math.Max(x0 + 1, Math.Min(10, Math.Ceiling(Math.Log10(r0)) + 2));
        const int samples = 160;
        var curves = a.Options.Select(o => Enumerable.Range(0, samples + 1).Select(i => x0 + (x1 - x0) * i / samples)
            .Select(lx => (lx, Cost: o.Tco12At(Math.Pow(10, lx)))).ToArray()).ToArray();
        var all = curves.SelectMany(c => c.Select(p => p.Cost)).Where(c => c > 0 && double.IsFinite(c)).DefaultIfEmpty(1).ToArray();
        var y0 = Math.Floor(Math.Log10(all.Min()));
        var y1 = Math.Ceiling(Math.Log10(all.Max()));
        if (y1 - y0 < 1) y1 = y0 + 1;
        double X(double lx) => left + (lx - x0) / (x1 - x0) * plotW;
        double Y(double cost) => top + (y1 - Math.Log10(Math.Max(cost, Math.Pow(10, y0)))) / (y1 - y0) * plotH;

        h.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"12-month total cost versus monthly requests\" style=\"font:12px system-ui,sans-serif\">\n"));
        h.Append(F($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"#fbfcfd\" stroke=\"#c9ced6\"/>\n"));
        for (var lx = x0; lx <= x1 + 1e-9; lx++)
        {
            h.Append(F($"<line x1=\"{X(lx):0.#}\" y1=\"{top}\" x2=\"{X(lx):0.#}\" y2=\"{top + plotH}\" stroke=\"#e6e9ee\"/>"));
            h.Append(F($"<text x=\"{X(lx):0.#}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\" fill=\"#475467\">{Volume(Math.Pow(10, lx))}</text>\n"));
        }
        for (var ly = y0; ly <= y1 + 1e-9; ly++)
        {
            h.Append(F($"<line x1=\"{left}\" y1=\"{Y(Math.Pow(10, ly)):0.#}\" x2=\"{left + plotW}\" y2=\"{Y(Math.Pow(10, ly)):0.#}\" stroke=\"#e6e9ee\"/>"));
            h.Append(F($"<text x=\"{left - 8}\" y=\"{Y(Math.Pow(10, ly)) + 4:0.#}\" text-anchor=\"end\" fill=\"#475467\">{Money(Math.Pow(10, ly))}</text>\n"));
        }
        h.Append(F($"<text x=\"{left + plotW / 2}\" y=\"{height - 12}\" text-anchor=\"middle\" fill=\"#1d2330\">requests per month (log scale)</text>\n"));
        h.Append(F($"<text transform=\"translate(18 {top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\" fill=\"#1d2330\">12-month total cost, USD (log scale)</text>\n"));

        // Declared volume.
        var xr = X(Math.Log10(r0));
        h.Append(F($"<line x1=\"{xr:0.#}\" y1=\"{top}\" x2=\"{xr:0.#}\" y2=\"{top + plotH}\" stroke=\"#344054\" stroke-dasharray=\"5 4\"/>"));
        h.Append(F($"<text x=\"{xr + 5:0.#}\" y=\"{top + 14}\" fill=\"#344054\">declared {Volume(r0)}/month</text>\n"));

        // Curves: non-viable first (underneath, dashed), the primary last (on top, thick).
        var order = Enumerable.Range(0, a.Options.Count).OrderBy(i => a.Options[i].Lever == a.Primary ? 2 : a.Options[i].Viable ? 1 : 0);
        foreach (var i in order)
        {
            var o = a.Options[i];
            var pts = string.Join(" ", curves[i].Select(p => F($"{X(p.lx):0.#},{Y(p.Cost):0.#}")));
            var style = o.Lever == a.Primary ? "stroke-width=\"4\"" : o.Viable ? "stroke-width=\"2\"" : "stroke-width=\"1.5\" stroke-dasharray=\"6 4\" opacity=\"0.55\"";
            h.Append(F($"<polyline fill=\"none\" stroke=\"{Colors[i % Colors.Length]}\" {style} points=\"{pts}\"><title>{E(LeverKinds.Name(o.Lever))}</title></polyline>\n"));
        }

        // Break-even points, numbered on the primary's curve; the legend lists them, so labels never collide.
        var main = a.PrimaryOption;
        var marks = a.Options.Select((o, i) => (o, i)).Where(t => t.o.BreakEvenRequestsPerMonth is { } v && Math.Log10(v) >= x0 && Math.Log10(v) <= x1)
            .OrderBy(t => t.o.BreakEvenRequestsPerMonth).ToList();
        // Close crossings would stack their markers: lift a marker until it clears the others, with a leader line.
        // Leaders are drawn first so no leader's dot lands on top of another marker.
        var placed = new List<(double Px, double Py, double Cx, double Cy, string Color, double V)>();
        foreach (var (o, i) in marks)
        {
            var v = o.BreakEvenRequestsPerMonth!.Value;
            var px = X(Math.Log10(v));
            var py = Y(main.Tco12At(v));
            var cy = py;
            while (placed.Any(q => Math.Abs(q.Cx - px) < 20 && Math.Abs(q.Cy - cy) < 20)) cy -= 22;
            placed.Add((px, py, px, cy, Colors[i % Colors.Length], v));
        }
        foreach (var q in placed.Where(q => q.Cy != q.Py))
            h.Append(F($"<line x1=\"{q.Px:0.#}\" y1=\"{q.Py:0.#}\" x2=\"{q.Cx:0.#}\" y2=\"{q.Cy + 9:0.#}\" stroke=\"{q.Color}\" stroke-width=\"1.5\"/>\n"));
        for (var m = 0; m < placed.Count; m++)
        {
            var q = placed[m];
            h.Append(F($"<circle cx=\"{q.Cx:0.#}\" cy=\"{q.Cy:0.#}\" r=\"9\" fill=\"#fff\" stroke=\"{q.Color}\" stroke-width=\"2.5\"><title>break-even with {E(LeverKinds.Name(marks[m].o.Lever))}: {Volume(q.V)}/month</title></circle>"));
            h.Append(F($"<text x=\"{q.Cx:0.#}\" y=\"{q.Cy + 4:0.#}\" text-anchor=\"middle\" font-weight=\"700\" font-size=\"11\" fill=\"#1d2330\">{m + 1}</text>\n"));
        }

        // Legend: levers, then the numbered break-even points.
        var ly0 = top + 6.0;
        var lx0 = left + plotW + 16;
        for (var i = 0; i < a.Options.Count; i++)
        {
            var o = a.Options[i];
            var y = ly0 + i * 20;
            var dash = o.Viable || o.Lever == a.Primary ? "" : " stroke-dasharray=\"6 4\"";
            h.Append(F($"<line x1=\"{lx0}\" y1=\"{y + 6}\" x2=\"{lx0 + 24}\" y2=\"{y + 6}\" stroke=\"{Colors[i % Colors.Length]}\" stroke-width=\"{(o.Lever == a.Primary ? 4 : 2)}\"{dash}/>"));
            h.Append(F($"<text x=\"{lx0 + 30}\" y=\"{y + 10}\" fill=\"#1d2330\"{(o.Lever == a.Primary ? " font-weight=\"700\"" : "")}>{E(LeverKinds.Name(o.Lever))}{(o.Lever == a.Primary ? " (primary)" : o.Viable ? "" : " (n/a)")}</text>\n"));
        }
        var by = ly0 + a.Options.Count * 20 + 16;
        h.Append(F($"<text x=\"{lx0}\" y=\"{by}\" font-weight=\"700\" fill=\"#1d2330\">break-even vs {E(LeverKinds.Name(a.Primary))}</text>\n"));
        for (var m = 0; m < marks.Count; m++)
            h.Append(F($"<text x=\"{lx0}\" y=\"{by + 18 * (m + 1)}\" fill=\"#344054\">{m + 1}  {E(LeverKinds.Name(marks[m].o.Lever))}: {Volume(marks[m].o.BreakEvenRequestsPerMonth!.Value)}/mo</text>\n"));
        if (marks.Count == 0) h.Append(F($"<text x=\"{lx0}\" y=\"{by + 18}\" fill=\"#667085\">none in this range</text>\n"));
        h.Append("</svg>\n");
    }

    private static string Td(string text, string title) => $"<td class=\"n\" title=\"{E(title)}\">{E(text)}</td>";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string F(FormattableString s) => s.ToString(Inv);

    private static string Usd(double v, int decimals = 0) => "$" + v.ToString(decimals == 0 || v >= 100 ? "#,0" : "#,0." + new string('0', decimals), Inv);

    private static string Volume(double v) => v switch
    {
        >= 1e9 => (v / 1e9).ToString("0.#", Inv) + "B",
        >= 1e6 => (v / 1e6).ToString("0.#", Inv) + "M",
        >= 1e3 => (v / 1e3).ToString("0.#", Inv) + "k",
        _ => v.ToString("0", Inv),
    };

    private static string Money(double v) => v switch
    {
        >= 1e9 => "$" + (v / 1e9).ToString("0.#", Inv) + "B",
        >= 1e6 => "$" + (v / 1e6).ToString("0.#", Inv) + "M",
        >= 1e3 => "$" + (v / 1e3).ToString("0.#", Inv) + "k",
        _ => "$" + v.ToString("0.##", Inv),
    };
}
