using System.Diagnostics;
using Lever.Core;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Recipes;

namespace Lever.Evals.Running;

/// <summary>
/// A <c>kind: knn_vote</c> recipe: the <c>few_shot.k</c> examples of <c>few_shot.pool</c> nearest the input (lexical or
/// embedding similarity, as few-shot selection measures it) vote for its label (<see cref="NeighbourVote"/>); no
/// model is called. Only examples with a similarity above zero vote (an example sharing no word with the input is no
/// neighbour); with none, the pool's most frequent label. The "does retrieval alone do it?" row.
/// </summary>
public sealed class KnnVoteAnswerer : IItemAnswerer
{
    private readonly Recipe _recipe;
    private readonly FewShotSelector _selector;
    private readonly string _fallback;
    private readonly RecipeServices? _services;

    private KnnVoteAnswerer(Recipe recipe, FewShotSelector selector, string fallback, RecipeServices? services)
    {
        _recipe = recipe;
        _selector = selector;
        _fallback = fallback;
        _services = services;
    }

    /// <summary>Loads the recipe's pool; <paramref name="services"/> gives the embedder (embedding similarity) and the compute price.</summary>
    public static KnnVoteAnswerer Create(Recipe recipe, RecipeServices? services)
    {
        if (recipe.FewShot.Pool is not { } pool)
            throw new LeverUserException($"recipe '{recipe.Name}': a {Recipe.KnnVoteKind} recipe needs few_shot.pool", "name a JSONL file of labelled examples (input, expected)");
        var items = EvalSet.Load(pool).Items;
        var fallback = items.Where(i => i.ExpectedText is not null).GroupBy(i => i.ExpectedText!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
            ?? throw new LeverUserException($"{pool}: no example has an expected label", "give each pool line an \"expected\" label");
        return new KnnVoteAnswerer(recipe, new FewShotSelector(items, services?.Embeddings), fallback, services);
    }

    /// <inheritdoc />
    public async Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.GetTimestamp();
        var neighbours = await _selector.NearestAsync(item, _recipe.FewShot.K, _recipe.FewShot.Similarity, cancellationToken).ConfigureAwait(false);
        neighbours = neighbours.Where(n => n.Score > 0).ToList();
        var label = NeighbourVote.Decide(neighbours.Select(n => (n.Example.ExpectedText!, n.Score)), _fallback);
        var ms = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
        return new RecipeAnswer(label, new TokenUsage(0, 0, 0), ms, [], [], neighbours.Select(n => n.Example).ToList());
    }

    /// <inheritdoc />
    public double Cost(RecipeAnswer answer) =>
        CostCalculator.ComputeCost(answer.LatencyMs / 1000.0, _services?.ComputePricePerHour ?? 0)
        + CostCalculator.EmbeddingCost(answer.EmbeddingTokens, _services?.EmbeddingPricePerMillion ?? 0);
}
