using System.Diagnostics;
using Lever.Evals.Cost;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Retrieval;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Running;

/// <summary>Answers items under one recipe: retrieve, pick examples, render the prompt, call the model once.</summary>
public sealed class RecipeRunner : IItemAnswerer
{
    private readonly Recipe _recipe;
    private readonly RecipeServices _services;
    private readonly FewShotSelector? _selector;
    private readonly Microsoft.Extensions.AI.IChatClient _chat;

    /// <summary>Creates a runner; loads the recipe's few-shot pool, if it has one.</summary>
    public RecipeRunner(Recipe recipe, RecipeServices services)
    {
        _recipe = recipe;
        _services = services;
        _chat = services.Chat ?? throw new ArgumentException($"recipe '{recipe.Name}' is a chat recipe but its services hold no chat model", nameof(services));
        if (recipe.FewShot.Mode != "none" && recipe.FewShot.Pool is { } pool)
            _selector = new FewShotSelector(EvalSet.Load(pool).Items, services.Embeddings);
        if (recipe.Retrieval.Enabled && services.Retriever is null)
            throw new Core.LeverUserException($"recipe '{recipe.Name}' retrieves from index '{recipe.Retrieval.Index}' but no retriever is available", "build the index first (`lever index build`), or set retrieval.index to null");
    }

    /// <summary>The recipe being run.</summary>
    public Recipe Recipe => _recipe;

    /// <summary>Answers <paramref name="item"/> under the recipe.</summary>
    public Task<RecipeAnswer> AnswerAsync(EvalItem item, CancellationToken cancellationToken = default) => AnswerAsync(item, null, cancellationToken);

    /// <summary>
    /// Answers <paramref name="item"/> under the recipe; <paramref name="maxOutputTokens"/> caps the recipe's
    /// <c>max_tokens</c> for this call (a served recipe honours the request's <c>max_tokens</c>, never exceeds its own).
    /// </summary>
    public async Task<RecipeAnswer> AnswerAsync(EvalItem item, int? maxOutputTokens, CancellationToken cancellationToken = default)
    {
        if (_selector is null) return await AnswerWithAsync(item, [], cancellationToken, maxOutputTokens).ConfigureAwait(false);
        var (examples, embeddingTokens) = await _selector.SelectWithUsageAsync(item, _recipe.FewShot.Mode, _recipe.FewShot.K, _recipe.FewShot.Similarity, cancellationToken).ConfigureAwait(false);
        return await AnswerWithAsync(item, examples, cancellationToken, maxOutputTokens).ConfigureAwait(false) with { EmbeddingTokens = embeddingTokens };
    }

    /// <summary>Answers <paramref name="item"/> with the given examples instead of the recipe's (the diagnosis' few-shot probe); <paramref name="maxOutputTokens"/> caps the recipe's <c>max_tokens</c> as for <see cref="AnswerAsync(EvalItem, int?, CancellationToken)"/>.</summary>
    public async Task<RecipeAnswer> AnswerWithAsync(EvalItem item, IReadOnlyList<EvalItem> examples, CancellationToken cancellationToken = default, int? maxOutputTokens = null)
    {
        if (maxOutputTokens is < 1) throw new ArgumentOutOfRangeException(nameof(maxOutputTokens), maxOutputTokens, "a cap of at least 1 token");
        IReadOnlyList<RetrievedPassage> passages = [];
        if (_recipe.Retrieval.Enabled)
        {
            passages = await _services.Retriever!.RetrieveAsync(
                new RetrievalRequest(_recipe.Retrieval.Index!, item.QueryText, _recipe.Retrieval.K, item.User, item.Groups)
                {
                    Mode = Lever.Retrieval.SearchModes.Parse(_recipe.Retrieval.Mode, "retrieval.mode"),
                }, cancellationToken).ConfigureAwait(false);
        }
        var messages = PromptBuilder.Build(_recipe, item, examples, passages);
        var options = new ChatOptions
        {
            Temperature = _recipe.Generation.Temperature,
            MaxOutputTokens = maxOutputTokens is { } cap ? Math.Min(cap, _recipe.Generation.MaxTokens) : _recipe.Generation.MaxTokens,
            TopP = _recipe.Generation.TopP,
            Seed = _recipe.Generation.Seed,
            ModelId = _recipe.Model,
            ResponseFormat = RecipeResponseFormat.For(_recipe),
        };
        if (_recipe.Generation.Stop.Count > 0) options.StopSequences = [.. _recipe.Generation.Stop];
        var watch = Stopwatch.StartNew();
        var response = await _chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        watch.Stop();
        return new RecipeAnswer(response.Text, TokenUsage.From(response.Usage, _services.CachedIncludedInInput), watch.Elapsed.TotalMilliseconds, passages, messages, examples);
    }

    /// <summary>What one answer cost: tokens at the model's prices, wall time at the compute price, embedding tokens spent choosing its examples, and its retrieval query.</summary>
    public double Cost(RecipeAnswer answer) =>
        CostCalculator.TokenCost(answer.Usage, _services.Prices)
        + CostCalculator.ComputeCost(answer.LatencyMs / 1000.0, _services.ComputePricePerHour)
        + CostCalculator.EmbeddingCost(answer.EmbeddingTokens, _services.EmbeddingPricePerMillion)
        + (_recipe.Retrieval.Enabled ? _services.RetrievalCostPerQuery : 0);
}
