namespace Lever.Retrieval.Evaluation;

/// <summary>Mean metrics over an eval set, with the per-question rows behind them.</summary>
/// <param name="K">The k of recall@k.</param>
/// <param name="RecallAtK">Mean recall@k.</param>
/// <param name="Mrr">Mean reciprocal rank.</param>
/// <param name="NdcgAt10">Mean nDCG@10.</param>
/// <param name="Questions">Per-question results.</param>
public sealed record RetrievalEvalReport(int K, double RecallAtK, double Mrr, double NdcgAt10, IReadOnlyList<RetrievalEvalRow> Questions);

/// <summary>One question's result.</summary>
/// <param name="Question">The question.</param>
/// <param name="Relevant">Its relevant documents.</param>
/// <param name="Ranked">Documents retrieved, best first.</param>
/// <param name="RecallAtK">Recall@k.</param>
/// <param name="ReciprocalRank">1 / rank of the first relevant document.</param>
/// <param name="NdcgAt10">nDCG@10.</param>
public sealed record RetrievalEvalRow(string Question, IReadOnlyList<string> Relevant, IReadOnlyList<string> Ranked, double RecallAtK, double ReciprocalRank, double NdcgAt10);
