using Lever.Lab.Data;
using Lever.Lab.Reporting;

namespace Lever.Lab;

/// <summary>The outcome of a lab run: every recipe measured, the recommendation, and where the reports are.</summary>
/// <param name="Results">One row per recipe, measured on the test split.</param>
/// <param name="Recommendation">The recommendation: the advisor's advice with the measured recipes as evidence (or, without a workload, the lab's own pick).</param>
/// <param name="Stats">Class counts per split.</param>
/// <param name="SummaryPath">.lever/lab/summary.json.</param>
/// <param name="ReportPath">.lever/lab/report.html.</param>
/// <param name="Ran">Stages that ran this time.</param>
/// <param name="Reused">Stages reused from an earlier run.</param>
public sealed record LabReport(IReadOnlyList<RecipeResult> Results, LabRecommendation Recommendation, DatasetStats Stats,
    string SummaryPath, string ReportPath, IReadOnlyList<string> Ran, IReadOnlyList<string> Reused)
{
    /// <summary>The measured recipe that pulls the recommended lever, if any.</summary>
    public string? RecommendedRecipe => Recommendation.Recipe;

    /// <summary>
    /// The provider error that stopped the hosted recipes, or null. The run still measured and reported every local
    /// recipe; the command prints the table and then fails with this error (its usual exit code: 2 for a refused or
    /// missing key, 3 for an unreachable or failing provider).
    /// </summary>
    public Exception? ProviderFailure { get; init; }

    /// <summary>The price book's hosted models, priced for this data at the lab's volume but not measured (<see cref="HostedQuote"/>).</summary>
    public IReadOnlyList<HostedQuote> HostedQuotes { get; init; } = [];
}
