using Lever.Core.Levers;
using Lever.Core.Prices;

namespace Lever.Advisor;

/// <summary>The advisor's answer: one primary lever, the path to it, why, what to watch, and every lever priced.</summary>
public sealed record Advice
{
    /// <summary>The recommended lever.</summary>
    public required LeverKind Primary { get; init; }

    /// <summary>The lever, the decisive rule's full text and the measured or estimated costs: the long form, kept in JSON and the report's reasoning.</summary>
    public required string Summary { get; init; }

    /// <summary>
    /// The recommendation in one sentence of at most 300 characters: lever, recipe, measured quality with its 95% interval,
    /// monthly cost at the declared volume, and the reason (the headline of the terminal and the HTML report).
    /// </summary>
    public string Recommendation { get; init; } = "";

    /// <summary>The measured recipes as the decision saw them (quality ± CI, cost, gain over the best simpler option); empty when no measured decision was made.</summary>
    public IReadOnlyList<MeasuredOption> Measured { get; init; } = [];

    /// <summary>The date advised on: hosted offers closed or closing on it are not planned.</summary>
    public DateOnly Today { get; init; }

    /// <summary>The gaps diagnosed.</summary>
    public required Diagnosis Diagnosis { get; init; }

    /// <summary>The ordered pragmatic path from where the team is.</summary>
    public required IReadOnlyList<string> Plan { get; init; }

    /// <summary>Each rule that fired, in order, with its numbers.</summary>
    public required IReadOnlyList<RuleFired> Rationale { get; init; }

    /// <summary>Things to watch (fine-tuning for facts, budget, latency, data).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Labeled data against the band for this task.</summary>
    public required DataSufficiency DataSufficiency { get; init; }

    /// <summary>Every lever priced, with break-even against the primary.</summary>
    public required IReadOnlyList<LeverOption> Options { get; init; }

    /// <summary>The workload as read, defaults filled in.</summary>
    public required Workload Workload { get; init; }

    /// <summary>The evidence recipes used.</summary>
    public required IReadOnlyList<RecipeEvidence> Evidence { get; init; }

    /// <summary>Which price book (default, overrides) and its date.</summary>
    public required string PriceBook { get; init; }

    /// <summary>Which policy file.</summary>
    public required string Policy { get; init; }

    /// <summary>The option of the primary lever.</summary>
    public LeverOption PrimaryOption => Options.First(o => o.Lever == Primary);
}
