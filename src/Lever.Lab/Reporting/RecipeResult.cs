using Lever.Advisor;
using Lever.Core.Levers;
using Lever.Evals.Scoring;

namespace Lever.Lab.Reporting;

/// <summary>One recipe measured on the test split: quality, speed, training time and price.</summary>
/// <param name="Name">Recipe name.</param>
/// <param name="Lever">Lever it pulls (<see cref="LeverKind.Baseline"/> for the non-LLM row).</param>
/// <param name="Description">What the recipe is.</param>
/// <param name="Metrics">Accuracy, macro-F1, confusion matrix.</param>
/// <param name="LatencyMsP50">Median answer latency.</param>
/// <param name="LatencyMsP95">95th-percentile answer latency.</param>
/// <param name="LatencyMsMean">Mean answer latency (what the cost uses).</param>
/// <param name="TrainSeconds">Wall-clock training time (0 for recipes that do not train).</param>
/// <param name="Cost">Price per answer at the declared volume.</param>
public sealed record RecipeResult(string Name, LeverKind Lever, string Description, ClassificationReport Metrics,
    double LatencyMsP50, double LatencyMsP95, double LatencyMsMean, double TrainSeconds, LabCost Cost)
{
    /// <summary>What answered, in words (the lab's own model, or a hosted model id and provider); null when no model did.</summary>
    public string? Model { get; init; }

    /// <summary>Parameters of the model that answered, when the lab built it.</summary>
    public long? ModelParameters { get; init; }

    /// <summary>What answered, as an id (<see cref="RecipeEvidence.ModelId"/>): <c>provider/model</c>, or <c>lab/PRESET</c>; null when no language model did.</summary>
    public string? ModelId { get; init; }

    /// <summary>How it answered: <c>api</c> (a provider) or <c>self-hosted</c> (this machine).</summary>
    public string Route { get; init; } = "self-hosted";

    /// <summary>An extraction or transformation lab's metrics (exact match, token-F1, JSON field scores); null for classification.</summary>
    public ExtractionReport? Extraction { get; init; }

    /// <summary>The task's primary metric: accuracy for classification, the extraction report's quality (field F1 or token-F1) otherwise.</summary>
    public double Quality => Extraction?.Quality ?? Metrics.Accuracy;

    /// <summary>The inference backend and weight type the lab's own model answered on (<c>lab.inference</c>); null for rows without one.</summary>
    public LabInferenceOptions? Inference { get; init; }

    /// <summary>The training settings and where each came from (set in lever.yaml, sized, searched on validation); null for recipes without any.</summary>
    public Recipes.RecipeSettings? Settings { get; init; }

    /// <summary>Test item id → whether the predicted label was the expected one, for every item scored.</summary>
    public IReadOnlyDictionary<string, ItemOutcome> Outcomes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, ItemOutcome>.Empty;
}
