using Lever.Lab;
using Lever.Lab.Data;
using Lever.Lab.Qa;
using Lever.Lab.Reporting;

namespace Lever.Reports;

/// <summary>The lab's report.html pages (<see cref="LabPage"/>, <see cref="QaLabPage"/>), as the lab's report stage asks for them.</summary>
public sealed class LabPages : ILabPages
{
    /// <summary>The one instance (the pages hold no state).</summary>
    public static LabPages Instance { get; } = new();

    /// <inheritdoc />
    public string Classification(string title, IReadOnlyList<RecipeResult> results, LabRecommendation recommendation, DatasetStats stats, LabConfiguration config, IReadOnlyList<HostedQuote> quotes) =>
        LabPage.Render(title, results, recommendation, stats, config, quotes);

    /// <inheritdoc />
    public string Qa(string title, IReadOnlyList<QaRecipeResult> results, IReadOnlyList<(string Recipe, string Reason)> skipped, IReadOnlyList<FreshnessRow> freshness,
        DocsModelLoss? docsModel, LabRecommendation recommendation, QaLabSettings settings, IReadOnlyList<QaQuestion> questions) =>
        QaLabPage.Render(title, results, skipped, freshness, docsModel, recommendation, settings, questions);
}
