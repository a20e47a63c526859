using Lever.Lab.Reporting;

namespace Lever.Lab.Qa;

/// <summary>One QA recipe measured on the question set.</summary>
/// <param name="Recipe">The recipe.</param>
/// <param name="Items">Questions answered.</param>
/// <param name="Correct">Answers that contain the expected text (normalized).</param>
/// <param name="CitationAccuracy">Share of questions whose answer cites the gold page (null without retrieval).</param>
/// <param name="GroundedCorrect">Answers that are correct and cite the gold page (null without retrieval): "contains the expected text" is lenient — a wrong sentence can hold the right number.</param>
/// <param name="Retrieval">Page-level retrieval metrics against each question's gold page (null without retrieval).</param>
/// <param name="LatencyMsP50">Median answer latency.</param>
/// <param name="LatencyMsP95">95th percentile answer latency.</param>
/// <param name="LatencyMsMean">Mean answer latency (what the cost uses).</param>
/// <param name="TrainSeconds">One-time preparation: the index build for retrieval recipes, 0 otherwise.</param>
/// <param name="Cost">Cost per answer and per month at the declared volume.</param>
/// <param name="KnowledgeFailures">Wrong answers whose passages did not include the gold page (or closed book): the facts were missing.</param>
/// <param name="CapabilityFailures">Wrong answers although the gold page was among the passages: the reader or model missed it.</param>
/// <param name="Predictions">Every answer.</param>
public sealed record QaRecipeResult(QaRecipe Recipe, int Items, int Correct, double? CitationAccuracy, int? GroundedCorrect, QaRetrievalScores? Retrieval,
    double LatencyMsP50, double LatencyMsP95, double LatencyMsMean, double TrainSeconds, LabCost Cost, int KnowledgeFailures, int CapabilityFailures,
    IReadOnlyList<QaPrediction> Predictions)
{
    /// <summary>What answered, as an id: the chat provider's <c>provider/model</c>, <c>lab/PRESET</c> for the model trained on the documents; null for the extractive reader.</summary>
    public string? ModelId { get; init; }

    /// <summary>The embedding model of a hybrid recipe's vectors, as <c>provider/model</c> (<c>local/all-MiniLM-L6-v2</c>); null for BM25 and closed book.</summary>
    public string? EmbeddingId { get; init; }

    /// <summary>How it answered: <c>api</c> (the chat provider) or <c>self-hosted</c> (this machine).</summary>
    public string Route { get; init; } = "self-hosted";

    /// <summary>Share of correct answers.</summary>
    public double Accuracy => Items == 0 ? 0 : Correct / (double)Items;

    /// <summary>Share of answers that are correct and cite the gold page (null without retrieval).</summary>
    public double? GroundedAccuracy => GroundedCorrect is { } g && Items > 0 ? g / (double)Items : null;
}
