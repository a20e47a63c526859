namespace Lever.Evals.Scoring;

/// <summary>One scorer's verdict on one item: a value in [0, 1], whether that counts as a pass, and why.</summary>
public sealed record Score(string Scorer, double Value, bool Passed, string? Detail = null)
{
    /// <summary>The <c>json</c> scorer's field counts (field-level precision and recall over a set); null for other scorers.</summary>
    public FieldCounts? Fields { get; init; }
}
