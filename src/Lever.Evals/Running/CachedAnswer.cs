using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Running;

/// <summary>
/// One line of the answer cache (.lever/cache/evals/RECIPEHASH.jsonl): what the model said for an item, what it
/// cost, and what it was shown — enough to re-parse, re-score and re-diagnose without a model call.
/// </summary>
public sealed record CachedAnswer(string ItemHash, string Raw, TokenUsage Usage, double LatencyMs, List<RetrievedPassage> Passages, List<string> ExampleIds, string PromptText)
{
    /// <summary>Embedding tokens the original answer spent choosing examples.</summary>
    public long EmbeddingTokens { get; init; }

    /// <summary>What the provider billed for the original answer, when the answerer knew it (see <see cref="RecipeAnswer.BilledUsd"/>).</summary>
    public double? BilledUsd { get; init; }

    /// <summary>The documents the original answer's retrieval ranked (see <see cref="RecipeAnswer.Ranked"/>).</summary>
    public List<string>? Ranked { get; init; }

    /// <summary>The document the original answer cited (see <see cref="RecipeAnswer.Cited"/>).</summary>
    public string? Cited { get; init; }

    /// <summary>Captures <paramref name="answer"/> for <paramref name="itemHash"/>.</summary>
    public static CachedAnswer From(string itemHash, RecipeAnswer answer) =>
        new(itemHash, answer.Raw, answer.Usage, answer.LatencyMs, [.. answer.Passages], answer.Examples.Select(e => e.Id).ToList(), PromptBuilder.VisibleText(answer.Prompt))
        {
            EmbeddingTokens = answer.EmbeddingTokens,
            BilledUsd = answer.BilledUsd,
            Ranked = answer.Ranked?.ToList(),
            Cited = answer.Cited,
        };

    /// <summary>Back to an answer; the prompt comes back as one message holding all the text the model saw.</summary>
    public RecipeAnswer ToAnswer() => new(Raw, Usage, LatencyMs, Passages,
        [new ChatMessage(ChatRole.User, PromptText)],
        ExampleIds.Select(id => new EvalItem { Id = id, Hash = "" }).ToList())
    {
        EmbeddingTokens = EmbeddingTokens,
        BilledUsd = BilledUsd,
        Ranked = Ranked,
        Cited = Cited,
    };
}
