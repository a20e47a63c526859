using Lever.Lab.Reporting;

namespace Lever.Lab.Qa;

/// <summary>What a QA lab run measured and where it wrote it.</summary>
/// <param name="Results">Recipes that ran, in report order.</param>
/// <param name="Skipped">Recipes that could not run, with the reason.</param>
/// <param name="Freshness">The freshness step's rows (empty when the step is off).</param>
/// <param name="DocsModel">The model trained on the documents: its held-out loss before and after (null when not trained).</param>
/// <param name="Recommendation">The recommendation: the advisor's advice on the measured recipes (or, without a workload, the most accurate recipe's, cheapest within the tolerance).</param>
/// <param name="SummaryPath">summary.json.</param>
/// <param name="ReportPath">report.html.</param>
/// <param name="Ran">Stages that ran.</param>
/// <param name="Reused">Stages reused.</param>
public sealed record QaLabReport(IReadOnlyList<QaRecipeResult> Results, IReadOnlyList<(string Recipe, string Reason)> Skipped, IReadOnlyList<FreshnessRow> Freshness,
    DocsModelLoss? DocsModel, LabRecommendation Recommendation, string SummaryPath, string ReportPath, IReadOnlyList<string> Ran, IReadOnlyList<string> Reused)
{
    /// <summary>The measured recipe the recommendation points to.</summary>
    public string? RecommendedRecipe => Recommendation.Recipe;
}
