using System.Globalization;
using System.Net;
using System.Text;
using Lever.Core.Levers;
using Lever.Lab.Qa;
using Lever.Lab.Reporting;

using static Lever.Reports.Internal.Html;

namespace Lever.Reports;

/// <summary>
/// The QA lab's report.html: one self-contained file (inline CSS, no scripts, no network) with the recommendation,
/// the recipe table, retrieval metrics, the freshness step, and every question's outcome per recipe.
/// </summary>
public static class QaLabPage
{
    /// <summary>Renders the report.</summary>
    public static string Render(string title, IReadOnlyList<QaRecipeResult> results, IReadOnlyList<(string Recipe, string Reason)> skipped,
        IReadOnlyList<FreshnessRow> freshness, DocsModelLoss? docsModel, LabRecommendation recommendation, QaLabSettings settings, IReadOnlyList<QaQuestion> questions)
    {
        var picked = recommendation.Recipe;
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lever lab — ").Append(E(title)).Append("</title><style>")
         .Append(Css).Append("</style></head><body><main>");
        h.Append("<h1>Lever lab: ").Append(E(title)).Append("</h1>");
        h.Append("<p class=\"sub\">").Append(questions.Count).Append(" questions answered from <code>").Append(E(settings.CorpusPath)).Append("</code>, each scored against its expected answer and gold page; priced at ")
         .Append(LabFormat.Volume(settings.Lab.RequestsPerMonth)).Append(" answers per month. Generated ")
         .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append(" UTC.</p>");

        // 1) The recommendation first: it is what the reader came for.
        h.Append("<section class=\"rec\"><h2>Recommendation</h2>");
        h.Append("<p class=\"primary\">").Append(recommendation.Primary is { } primary ? $"<b>{E(LeverKinds.Name(primary))}</b>" : "none").Append(picked is null ? "" : $" — recipe <code>{E(picked)}</code>").Append("</p>");
        if (recommendation.Summary is { } summary) h.Append("<p>").Append(E(summary)).Append("</p>");
        LabPage.AppendRecommendation(h, recommendation);
        h.Append("</section>");

        // 2) Recipes.
        h.Append("<h2>Recipes</h2><table class=\"grid recipes\"><thead><tr><th>recipe</th><th>lever</th><th>accuracy</th><th>correct + cites gold page</th><th>cites gold page</th><th>p50</th><th>p95</th><th>index build</th><th>$ / 1k answers</th><th>$ / month</th></tr></thead><tbody>");
        foreach (var r in results.OrderByDescending(r => r.Accuracy).ThenBy(r => r.Cost.Per1kUsd))
        {
            h.Append(r.Recipe.Name == picked ? "<tr class=\"pick\">" : "<tr>");
            h.Append("<td><b>").Append(E(r.Recipe.Name)).Append("</b><div class=\"desc\">").Append(E(r.Recipe.Description)).Append("</div></td>");
            h.Append("<td><span class=\"lever ").Append(r.Recipe.Lever == LeverKind.Rag ? "rag" : "prompt").Append("\">").Append(E(LeverKinds.Name(r.Recipe.Lever))).Append("</span></td>");
            h.Append("<td><div class=\"bar\"><i style=\"width:").Append(F(r.Accuracy * 100, "0.#")).Append("%\"></i></div>")
             .Append(LabFormat.Pct(r.Accuracy)).Append(" <span class=\"n\">(").Append(r.Correct).Append('/').Append(r.Items).Append(")</span></td>");
            h.Append("<td>").Append(r.GroundedAccuracy is { } g ? LabFormat.Pct(g) : "—").Append("</td>");
            h.Append("<td>").Append(r.CitationAccuracy is { } c ? LabFormat.Pct(c) : "—").Append("</td>");
            h.Append("<td>").Append(LabFormat.Ms(r.LatencyMsP50)).Append("</td><td>").Append(LabFormat.Ms(r.LatencyMsP95)).Append("</td>");
            h.Append("<td>").Append(r.TrainSeconds > 0 ? F(r.TrainSeconds, "0.0") + " s" : "—").Append("</td>");
            h.Append("<td>").Append(LabFormat.Usd(r.Cost.Per1kUsd)).Append("</td><td>").Append(LabFormat.Usd(r.Cost.MonthlyUsd)).Append("</td></tr>");
        }
        h.Append("</tbody></table>");
        if (skipped.Count > 0)
        {
            h.Append("<p class=\"note\">Not run:</p><ul class=\"note\">");
            foreach (var (recipe, reason) in skipped) h.Append("<li><code>").Append(E(recipe)).Append("</code> — ").Append(E(reason)).Append("</li>");
            h.Append("</ul>");
        }

        // 3) Retrieval metrics and what went wrong.
        var retrieving = results.Where(r => r.Retrieval is not null).ToList();
        if (retrieving.Count > 0)
        {
            h.Append("<h2>Retrieval</h2><p class=\"sub\">Page-level, against each question's gold page (<code>metadata.page</code>): recall@k is the share of questions whose page is in the top k pages; MRR the mean of 1/rank; nDCG@10 the mean of 1/log2(rank+1). Failures: <i>knowledge</i> — the gold page was not among the ")
             .Append(settings.Options.K).Append(" passages the answerer got; <i>capability</i> — it was, and the answer still missed.</p>");
            h.Append("<table class=\"grid small\"><thead><tr><th>recipe</th><th>recall@1</th><th>recall@5</th><th>recall@10</th><th>MRR</th><th>nDCG@10</th><th>wrong: knowledge</th><th>wrong: capability</th></tr></thead><tbody>");
            foreach (var r in retrieving)
            {
                var s = r.Retrieval!;
                h.Append("<tr><td>").Append(E(r.Recipe.Name)).Append("</td><td>").Append(LabFormat.Pct(s.RecallAt1)).Append("</td><td>").Append(LabFormat.Pct(s.RecallAt5))
                 .Append("</td><td>").Append(LabFormat.Pct(s.RecallAt10)).Append("</td><td>").Append(F(s.Mrr, "0.000")).Append("</td><td>").Append(F(s.NdcgAt10, "0.000"))
                 .Append("</td><td>").Append(r.KnowledgeFailures).Append("</td><td>").Append(r.CapabilityFailures).Append("</td></tr>");
            }
            h.Append("</tbody></table>");
        }

        // 4) Freshness.
        if (freshness.Count > 0)
        {
            h.Append("<h2>Freshness</h2><p class=\"sub\">A copy of the documents is indexed, each edit applied to its page, the question asked before <code>index sync</code> (the index still serves what it indexed) and after it.</p>");
            h.Append("<table class=\"grid fresh\"><thead><tr><th>question</th><th>recipe</th><th>before the edit</th><th>edited, not synced</th><th>after sync</th></tr></thead><tbody>");
            foreach (var f in freshness)
            {
                h.Append("<tr><td><b>").Append(E(f.Question)).Append("</b><div class=\"desc\">").Append(E(f.Page)).Append("<br>").Append(E(f.ExpectedBefore)).Append(" → ").Append(E(f.ExpectedAfter)).Append("</div></td>");
                h.Append("<td>").Append(E(f.Recipe)).Append("</td>");
                Cell(h, f.Before, f.BeforeOk, f.ExpectedBefore);
                Cell(h, f.Unsynced, f.UnsyncedOld, f.ExpectedBefore);
                Cell(h, f.After, f.AfterOk, f.ExpectedAfter);
                h.Append("</tr>");
            }
            h.Append("</tbody></table>");
        }

        // 5) Training on the documents: the loss falls, the answers do not come.
        if (docsModel is not null && results.FirstOrDefault(r => r.Recipe.DocsModel) is { } lm)
        {
            h.Append("<h2>Training on the documents</h2><p>A tiny model (<code>lab.llm</code>) trained from scratch on the documents' text for ").Append(docsModel.Steps)
             .Append(" steps: its loss on held-out pages fell from <b>").Append(F(docsModel.BaseLoss, "0.000")).Append("</b> to <b>").Append(F(docsModel.Loss, "0.000"))
             .Append("</b> nats per token (perplexity ").Append(F(Math.Exp(docsModel.BaseLoss), "#,0")).Append(" → ").Append(F(Math.Exp(docsModel.Loss), "#,0"))
             .Append("), yet closed book it answered ").Append(lm.Correct).Append(" of ").Append(lm.Items)
             .Append(" questions. Training teaches the documents' language; retrieval brings their facts to the answer.</p>");
        }

        // 6) Every question.
        h.Append("<h2>Questions</h2><p class=\"sub\">✓ the answer contains the expected text; ✗ it does not. The answer shown is the first retrieval recipe's.</p>");
        var shown = results.FirstOrDefault(r => r.Recipe.Retrieval != QaRetrieval.None) ?? results.FirstOrDefault();
        h.Append("<table class=\"grid qs\"><thead><tr><th>question</th>");
        foreach (var r in results) h.Append("<th class=\"rot\">").Append(E(r.Recipe.Name).Replace("-", "-<wbr>", StringComparison.Ordinal)).Append("</th>");
        h.Append("<th>answer").Append(shown is null ? "" : $" ({E(shown.Recipe.Name)})").Append("</th></tr></thead><tbody>");
        var byRecipe = results.ToDictionary(r => r.Recipe.Name, r => r.Predictions.ToDictionary(p => p.Id, StringComparer.Ordinal));
        foreach (var q in questions)
        {
            h.Append("<tr><td><b>").Append(E(q.Id)).Append("</b> ").Append(E(q.Input)).Append("<div class=\"desc\">expected <code>").Append(E(q.Expected)).Append("</code> · ").Append(E(q.Page)).Append("</div></td>");
            foreach (var r in results)
            {
                var p = byRecipe[r.Recipe.Name].GetValueOrDefault(q.Id);
                h.Append(p?.Correct == true ? "<td class=\"ok\">✓</td>" : "<td class=\"bad\">✗</td>");
            }
            var a = shown is null ? null : byRecipe[shown.Recipe.Name].GetValueOrDefault(q.Id);
            h.Append("<td class=\"ans\">").Append(a is null || a.Answer.Length == 0 ? "<i>(no answer)</i>" : E(Short(a.Answer, 220)))
             .Append(a?.Cited is { } cited ? $"<div class=\"desc\">cites {E(cited)}{(cited == q.Page ? "" : " (not the gold page)")}</div>" : "").Append("</td></tr>");
        }
        h.Append("</tbody></table>");

        // 7) How it was scored and priced.
        var c0 = settings.Lab.Options.Compute;
        h.Append("<h2>Scoring and cost</h2><p>An answer is correct when it contains the expected text after both are normalized: Unicode NFKC, lower case, number words zero–twenty as digits, kilo/mega/giga/terabytes as kb/mb/gb/tb joined to their number (\"128 megabytes\" = \"128MB\"), quotes, brackets and , ; ! ? as spaces, a word-final . or : dropped; the match must sit on word boundaries.</p>");
        h.Append("<div class=\"formula\">cost per 1,000 answers = 1000 × (mean latency s × answer cores × ").Append(LabFormat.Usd(c0.CpuHourUsd)).Append(" per core-hour / 3600 + provider bill per answer + index build s × ")
         .Append(LabFormat.Usd(c0.CpuHourUsd)).Append(" / 3600 / (").Append(c0.AmortizeMonths).Append(" months × ").Append(LabFormat.Volume(settings.Lab.RequestsPerMonth))
         .Append(" answers)); answer cores: 1 for a local answer, 0 for a hosted one (it is billed by tokens). Volume from ").Append(E(settings.Lab.VolumeSource)).Append(".</div>");
        h.Append("</main></body></html>\n");
        return h.ToString();
    }

    private static void Cell(StringBuilder h, string answer, bool ok, string expected) =>
        h.Append("<td class=\"ans\"><span class=\"").Append(ok ? "ok" : "bad").Append("\">").Append(ok ? "✓ " + E(expected) : "✗").Append("</span><div class=\"desc\">")
         .Append(answer.Length == 0 ? "(no answer)" : E(Short(answer, 160))).Append("</div></td>");

    private static string Short(string text, int max) => text.Length <= max ? text : text[..max].TrimEnd() + " …";




    private static readonly string Css = Internal.Html.BaseCss(1100) + """
        .rec h2{border:none}.primary{font-size:20px;margin:4px 0}.rec ul{margin:4px 0 8px;padding-left:22px}
        table.grid{border-collapse:collapse;width:100%;font-size:14px}
        .grid th,.grid td{border-bottom:1px solid #e5e7eb;padding:7px 8px;text-align:right;vertical-align:top}
        .grid th:first-child,.grid td:first-child{text-align:left}.grid thead th{background:#f9fafb}
        .recipes td{white-space:nowrap}.recipes td:first-child{white-space:normal}.recipes th:nth-child(2),.recipes td:nth-child(2){text-align:left}
        .grid.small{width:auto}tr.pick td{background:#ecfdf5}
        .desc{font-size:12px;color:#6b7280;font-weight:normal;max-width:360px;white-space:normal}
        .lever{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}.lever.rag{background:#2563eb}.lever.prompt{background:#9333ea}
        .bar{display:inline-block;width:60px;height:8px;background:#e5e7eb;border-radius:4px;margin-right:6px;vertical-align:1px}
        .bar i{display:block;height:8px;background:#10b981;border-radius:4px}.n{color:#6b7280;font-size:12px}
        .note{color:#4b5563;font-size:13px;margin:6px 0}
        .fresh td.ans,.qs td.ans,.fresh th,.fresh td:nth-child(2){text-align:left}.ok{color:#047857;font-weight:600}.bad{color:#b91c1c;font-weight:600}
        .qs td.ok,.qs td.bad{text-align:center}.qs th.rot{font-size:12px;text-align:center;min-width:64px;max-width:90px;white-space:normal}.qs th:last-child{text-align:left}
        .qs td:first-child{max-width:330px}
        .formula{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;padding:10px}
        code{font-family:ui-monospace,Menlo,Consolas,monospace}
        """;
}
