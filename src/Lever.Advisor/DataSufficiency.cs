namespace Lever.Advisor;

/// <summary>Whether the labeled data on hand is enough to fine-tune for this task, by the seed's bands.</summary>
/// <param name="Band">Which band applies (<c>style_format</c>, <c>classification</c>, <c>extraction</c>, <c>major_behaviour_change</c>).</param>
/// <param name="MinExamples">Fewer than this: do not fine-tune yet.</param>
/// <param name="RecommendedExamples">The top of the band.</param>
/// <param name="HaveExamples">Declared labeled examples.</param>
/// <param name="Basis">Where the band comes from.</param>
public sealed record DataSufficiency(string Band, double MinExamples, double RecommendedExamples, long HaveExamples, string Basis)
{
    /// <summary>At least the minimum.</summary>
    public bool Sufficient => HaveExamples >= MinExamples;

    /// <summary>Examples still to collect to reach the minimum.</summary>
    public double MissingExamples => Math.Max(0, Math.Ceiling(MinExamples - HaveExamples));
}
