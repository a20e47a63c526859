using System.Text;
using Lever.Lab;
using Lever.Lab.Reporting;
using static Lever.Reports.Internal.Html;

namespace Lever.Reports.Internal;

/// <summary>
/// The lab report's "Training settings" section: how the lab's model was sized (budget, rows, tokens, the rationale)
/// and, per trained row, each setting with its source — set in lever.yaml, sized, or searched on validation, with the
/// search's budget and every candidate's validation scores.
/// </summary>
internal static class LabSettingsSection
{
    public static void Append(StringBuilder h, IReadOnlyList<RecipeResult> results, LabOptions options)
    {
        var trained = results.Where(r => r.Settings is not null).ToList();
        if (trained.Count == 0 && options.Llm.Sizing is null) return;
        h.Append("<section><h2>Training settings</h2>");
        if (options.Llm.Sizing is { } z)
            h.Append("<p class=\"sub\">The lab's model was sized for ").Append(z.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))
             .Append(" training rows of ").Append(F(z.MeanTokens, "0.#")).Append(" tokens in a ").Append(F(options.BudgetMinutes, "0.#"))
             .Append("-minute budget (lab.budget_minutes): ").Append(E(z.Rationale)).Append("</p>");
        else
            h.Append("<p class=\"sub\">lever.yaml sets the lab model's size and steps (lab.llm); nothing was sized.</p>");
        foreach (var r in trained)
        {
            var s = r.Settings!;
            h.Append("<h3>").Append(E(r.Name)).Append("</h3><table class=\"grid small\"><thead><tr><th>setting</th><th>value</th><th>source</th></tr></thead><tbody>");
            foreach (var v in s.Values)
                h.Append("<tr><td>").Append(E(v.Name)).Append("</td><td>").Append(F(v.Value, "G4")).Append("</td><td>").Append(E(v.Source)).Append("</td></tr>");
            h.Append("</tbody></table>");
            if (s.Search is not { } search) continue;
            h.Append("<p class=\"sub\">Search: ").Append(search.Candidates.Count).Append(" learning rates × ").Append(search.Candidates[0].MaxSteps)
             .Append(" steps (budget ").Append(search.BudgetSteps).Append(" steps), each run's best validation-loss checkpoint, chosen by ")
             .Append(E(search.Metric.Replace('_', ' '))).Append(" on the validation split; the test split is never used.</p>")
             .Append("<table class=\"grid small\"><thead><tr><th>learning rate</th><th>best step</th><th>validation loss</th><th>validation accuracy</th><th></th></tr></thead><tbody>");
            for (var i = 0; i < search.Candidates.Count; i++)
            {
                var c = search.Candidates[i];
                h.Append("<tr><td>").Append(F(c.LearningRate, "G3")).Append("</td><td>").Append(c.Score.BestStep).Append(" of ").Append(c.MaxSteps)
                 .Append("</td><td>").Append(F(c.Score.ValidationLoss, "0.000")).Append("</td><td>")
                 .Append(c.Score.ValidationAccuracy is { } a ? F(100 * a, "0.00") + "%" : "—").Append("</td><td>").Append(i == search.Chosen ? "chosen" : "").Append("</td></tr>");
            }
            h.Append("</tbody></table>");
        }
        h.Append("</section>");
    }
}
