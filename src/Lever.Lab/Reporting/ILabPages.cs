using Lever.Lab.Data;
using Lever.Lab.Qa;

namespace Lever.Lab.Reporting;

/// <summary>
/// The lab's two HTML pages, rendered outside the lab (Lever.Reports' <c>LabPages</c>: every page Lever writes is
/// rendered in one project): the lab's report stage asks for the page and writes it with summary.json and results.json.
/// </summary>
public interface ILabPages
{
    /// <summary>The classification lab's report.html; <paramref name="quotes"/> are the hosted models priced but not measured.</summary>
    string Classification(string title, IReadOnlyList<RecipeResult> results, LabRecommendation recommendation, DatasetStats stats, LabConfiguration config, IReadOnlyList<HostedQuote> quotes);

    /// <summary>The QA lab's report.html.</summary>
    string Qa(string title, IReadOnlyList<QaRecipeResult> results, IReadOnlyList<(string Recipe, string Reason)> skipped, IReadOnlyList<FreshnessRow> freshness,
        DocsModelLoss? docsModel, LabRecommendation recommendation, QaLabSettings settings, IReadOnlyList<QaQuestion> questions);
}
