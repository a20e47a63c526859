using Lever.Retrieval.Evaluation;

namespace Lever.Lab.Qa;

/// <summary>Mean page-level retrieval metrics over the questions, each question's gold page its one relevant document.</summary>
/// <param name="RecallAt1">Share of questions whose gold page ranks first.</param>
/// <param name="RecallAt5">… in the top 5.</param>
/// <param name="RecallAt10">… in the top 10.</param>
/// <param name="Mrr">Mean reciprocal rank of the gold page (0 when not in the top 10).</param>
/// <param name="NdcgAt10">Mean nDCG@10 (with one relevant page: 1 / log2(rank + 1)).</param>
public sealed record QaRetrievalScores(double RecallAt1, double RecallAt5, double RecallAt10, double Mrr, double NdcgAt10)
{
    /// <summary>Averages <see cref="RetrievalMetrics"/> over (ranked pages, gold page) pairs.</summary>
    public static QaRetrievalScores Of(IReadOnlyList<(IReadOnlyList<string> Ranked, string Gold)> rows)
    {
        if (rows.Count == 0) return new QaRetrievalScores(0, 0, 0, 0, 0);
        double Mean(Func<IReadOnlyList<string>, IReadOnlySet<string>, double> f) =>
            rows.Average(r => f(r.Ranked, new HashSet<string>(StringComparer.Ordinal) { r.Gold }));
        return new QaRetrievalScores(
            Mean((r, g) => RetrievalMetrics.RecallAt(r, g, 1)),
            Mean((r, g) => RetrievalMetrics.RecallAt(r, g, 5)),
            Mean((r, g) => RetrievalMetrics.RecallAt(r, g, 10)),
            Mean((r, g) => RetrievalMetrics.ReciprocalRank(r.Take(10).ToList(), g)),
            Mean((r, g) => RetrievalMetrics.NdcgAt(r, g, 10)));
    }
}
