using Lever.Core.Levers;

namespace Lever.Advisor;

/// <summary>
/// One measured recipe: what it scored, what it cost, how fast it was, and why its failures failed. Read from a
/// summary.json by <see cref="EvidenceReader"/> (the minimal shape docs/ADVISOR.md defines), or built in process by
/// the lab from its results, which also fills in the per-item outcomes and what answered.
/// </summary>
public sealed record RecipeEvidence
{
    /// <summary>The summary file it came from.</summary>
    public required string Source { get; init; }

    /// <summary>The run id, when the file names one.</summary>
    public string? Run { get; init; }

    /// <summary>Recipe name.</summary>
    public required string Name { get; init; }

    /// <summary>The lever this recipe exercises (<see cref="LeverKind.Baseline"/> for the classical reference row), or null when not stated.</summary>
    public LeverKind? Lever { get; init; }

    /// <summary>Items scored.</summary>
    public long? Items { get; init; }

    /// <summary>Accuracy, 0–1.</summary>
    public double? Accuracy { get; init; }

    /// <summary>Macro-F1, 0–1.</summary>
    public double? MacroF1 { get; init; }

    /// <summary>Measured USD per 1,000 answers.</summary>
    public double? CostPer1kUsd { get; init; }

    /// <summary>Measured p95 latency in milliseconds.</summary>
    public double? LatencyP95Ms { get; init; }

    /// <summary>What answered: a model id, or a description of the lab's own model (null when not stated).</summary>
    public string? Model { get; init; }

    /// <summary>Parameters of the model that answered, when known (the lab's own models).</summary>
    public double? ModelParams { get; init; }

    /// <summary>Measured training time in seconds (0 for a recipe that trains nothing).</summary>
    public double? TrainSeconds { get; init; }

    /// <summary>Measured one-time training cost in USD (compute, plus anything a provider billed for training).</summary>
    public double? TrainingUsd { get; init; }

    /// <summary>Failed items diagnosed as knowledge gaps.</summary>
    public long KnowledgeFailures { get; init; }

    /// <summary>Failed items diagnosed as behaviour/format gaps.</summary>
    public long BehaviourFailures { get; init; }

    /// <summary>Failed items diagnosed as prompt gaps.</summary>
    public long PromptFailures { get; init; }

    /// <summary>Failed items none of the levers explain (a bigger model may).</summary>
    public long CapabilityFailures { get; init; }

    /// <summary>
    /// What answered, as an id: a provider's model (<c>openai/gpt-4o-mini</c>: provider and model id) or the lab's own
    /// pre-trained model (<c>lab/tiny</c>, which fine-tuned recipes start from); null when no language model answered or
    /// the evidence does not say.
    /// </summary>
    public string? ModelId { get; init; }

    /// <summary>How the answers were served, in <see cref="LeverOption.Route"/>'s words: <c>api</c> (a provider) or <c>self-hosted</c> (the lab's machine); null when not stated.</summary>
    public string? Route { get; init; }

    /// <summary>
    /// Item id → outcome, for every item scored (empty when the evidence file lists none): what paired comparisons
    /// of two recipes on the same items (McNemar) are computed from.
    /// </summary>
    public IReadOnlyDictionary<string, ItemOutcome> Outcomes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, ItemOutcome>.Empty;

    /// <summary>
    /// The task's primary metric when it is a mean score rather than an accuracy (an extraction lab's token-F1 or
    /// field-level F1, 0–1); paired comparisons then use each item's <see cref="ItemOutcome.Score"/>.
    /// </summary>
    public double? QualityScore { get; init; }

    /// <summary>Accuracy if measured, else the task's score (<see cref="QualityScore"/>), else macro-F1.</summary>
    public double? Quality => Accuracy ?? QualityScore ?? MacroF1;

    /// <summary>"recipe 'x' (run r, file)" for rationale strings.</summary>
    public string Cite => $"recipe '{Name}' ({(Run is null ? "" : $"run {Run}, ")}{Source})";
}
