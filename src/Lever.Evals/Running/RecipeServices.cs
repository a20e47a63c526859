using Lever.Core.Prices;
using Lever.Evals.Cost;
using Lever.Evals.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Running;

/// <summary>
/// What a recipe runs against, built by RecipeServicesFactory from lever.yaml: the chat model, optionally an embedder
/// (embedding few-shot), a retriever, a judge, and the prices that turn usage into cost.
/// </summary>
public sealed class RecipeServices
{
    /// <summary>The recipe's model; null only for a recipe that calls none (<c>kind: knn_vote</c>).</summary>
    public IChatClient? Chat { get; init; }

    /// <summary>Embeddings for <c>few_shot.similarity: embedding</c>.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Embeddings { get; init; }

    /// <summary>Retrieval for recipes with an index, and for the knowledge-gap probe.</summary>
    public IRetriever? Retriever { get; init; }

    /// <summary>Model for the judge scorer.</summary>
    public IChatClient? Judge { get; init; }

    /// <summary>Optional model that names the gap when the diagnosis heuristics find no evidence (else: capability).</summary>
    public IChatClient? DiagnosisJudge { get; init; }

    /// <summary>Token prices of the recipe's model.</summary>
    public TokenPrices Prices { get; init; } = TokenPrices.Free;

    /// <summary>Whether the provider counts cached tokens inside input tokens (OpenAI convention).</summary>
    public bool CachedIncludedInInput { get; init; } = true;

    /// <summary>USD per hour of the hardware a local model runs on; wall time of each call is charged at it.</summary>
    public double ComputePricePerHour { get; init; }

    /// <summary>USD per million embedding tokens (few-shot similarity).</summary>
    public double EmbeddingPricePerMillion { get; init; }

    /// <summary>USD per retrieval query (query embedding and search), charged to each answer that retrieved.</summary>
    public double RetrievalCostPerQuery { get; init; }

    /// <summary>Index the diagnosis probes for missing facts when the recipe itself does not retrieve.</summary>
    public string? CorpusIndex { get; init; }
}
