using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Running;

/// <summary>One model answer to one item under a recipe, with what it cost and what the model was shown.</summary>
public sealed record RecipeAnswer(
    string Raw,
    TokenUsage Usage,
    double LatencyMs,
    IReadOnlyList<RetrievedPassage> Passages,
    IReadOnlyList<ChatMessage> Prompt,
    IReadOnlyList<EvalItem> Examples)
{
    /// <summary>Embedding tokens spent choosing the examples (embedding few-shot only).</summary>
    public long EmbeddingTokens { get; init; }

    /// <summary>
    /// What the provider billed for this answer when the answerer knows it directly (the lab's hosted rows price their
    /// own calls); null when the runner prices the answer from its usage and time, and for an answer whose bill is unknown.
    /// </summary>
    public double? BilledUsd { get; init; }

    /// <summary>
    /// Documents retrieval ranked for the item, best first, when the answerer searched deeper than the passages it
    /// was shown (the QA lab ranks 10 pages and reads 3 passages); retrieval metrics use them instead of the passages.
    /// </summary>
    public IReadOnlyList<string>? Ranked { get; init; }

    /// <summary>The document the answer cites, when the answerer knows it (an extractive reader's source page).</summary>
    public string? Cited { get; init; }
}
