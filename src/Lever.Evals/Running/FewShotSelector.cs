using Lever.Evals.Data;
using Lever.Evals.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Evals.Running;

/// <summary>
/// Picks few-shot examples from a labeled pool: the first k (fixed), or the k most similar to the question by
/// token-set Jaccard (lexical, no model calls) or embedding cosine. An example whose input equals the question
/// is never picked, so a pool that is the eval set itself works as leave-one-out.
/// </summary>
public sealed class FewShotSelector
{
    private readonly IReadOnlyList<EvalItem> _pool;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly List<HashSet<string>> _tokens;
    private readonly SemaphoreSlim _embedLock = new(1, 1);
    private ReadOnlyMemory<float>[]? _vectors;

    /// <summary>Creates a selector over <paramref name="pool"/> (items with an expected answer only).</summary>
    public FewShotSelector(IReadOnlyList<EvalItem> pool, IEmbeddingGenerator<string, Embedding<float>>? embedder = null)
    {
        _pool = pool.Where(p => p.ExpectedText is not null).ToList();
        _embedder = embedder;
        _tokens = _pool.Select(p => TextNormalizer.Tokens(p.QueryText).ToHashSet(StringComparer.Ordinal)).ToList();
    }

    /// <summary>Examples for <paramref name="item"/> per <paramref name="mode"/> and <paramref name="similarity"/>.</summary>
    public async Task<IReadOnlyList<EvalItem>> SelectAsync(EvalItem item, string mode, int k, string similarity, CancellationToken cancellationToken) =>
        (await SelectWithUsageAsync(item, mode, k, similarity, cancellationToken).ConfigureAwait(false)).Examples;

    /// <summary>
    /// As <see cref="SelectAsync"/>, with the embedding tokens this call spent: the query's, plus the pool's for
    /// the call that embedded it (so a run's embedding cost adds up over its items).
    /// </summary>
    public async Task<(IReadOnlyList<EvalItem> Examples, long EmbeddingTokens)> SelectWithUsageAsync(EvalItem item, string mode, int k, string similarity, CancellationToken cancellationToken)
    {
        if (mode == "fixed") return (Candidates(item).Take(k).Select(i => _pool[i]).ToList(), 0);
        if (mode != "nearest") return ([], 0);
        var (ranked, tokens) = await RankAsync(item, k, similarity, cancellationToken).ConfigureAwait(false);
        return (ranked.Select(r => r.Example).ToList(), tokens);
    }

    /// <summary>
    /// The <paramref name="k"/> pool examples nearest <paramref name="item"/> with their similarity (Jaccard or cosine),
    /// best first: the examples <see cref="SelectAsync"/> picks with mode nearest (a kNN vote weighs them by it).
    /// </summary>
    public async Task<IReadOnlyList<(EvalItem Example, double Score)>> NearestAsync(EvalItem item, int k, string similarity, CancellationToken cancellationToken) =>
        (await RankAsync(item, k, similarity, cancellationToken).ConfigureAwait(false)).Ranked;

    private async Task<(List<(EvalItem Example, double Score)> Ranked, long Tokens)> RankAsync(EvalItem item, int k, string similarity, CancellationToken cancellationToken)
    {
        long tokens = 0;
        double[] scores;
        if (similarity == "embedding")
        {
            if (_embedder is null) throw new Core.LeverUserException("few_shot.similarity is embedding but the provider has no embedding model", "set embedding_model for the provider in lever.yaml, or use similarity: lexical");
            var (vectors, poolTokens) = await PoolVectorsAsync(cancellationToken).ConfigureAwait(false);
            var q = await _embedder.GenerateAsync([item.QueryText], cancellationToken: cancellationToken).ConfigureAwait(false);
            tokens = poolTokens + (q.Usage?.InputTokenCount ?? 0);
            var qv = q[0].Vector;
            scores = vectors.Select(v => Cosine(qv.Span, v.Span)).ToArray();
        }
        else
        {
            var qt = TextNormalizer.Tokens(item.QueryText).ToHashSet(StringComparer.Ordinal);
            scores = _tokens.Select(t => Jaccard(qt, t)).ToArray();
        }
        // Stable: ties keep pool order, so the same question always gets the same examples.
        return (Candidates(item).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).Select(i => (_pool[i], scores[i])).ToList(), tokens);
    }

    private IEnumerable<int> Candidates(EvalItem item) =>
        Enumerable.Range(0, _pool.Count).Where(i => !string.Equals(_pool[i].QueryText, item.QueryText, StringComparison.Ordinal));

    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    internal static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 && b.Count == 0) return 0;
        int inter = a.Count(b.Contains);
        return (double)inter / (a.Count + b.Count - inter);
    }

    private async Task<(ReadOnlyMemory<float>[] Vectors, long Tokens)> PoolVectorsAsync(CancellationToken cancellationToken)
    {
        if (_vectors is { } done) return (done, 0);
        await _embedLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_vectors is not null) return (_vectors, 0);
            var result = await _embedder!.GenerateAsync(_pool.Select(p => p.QueryText), cancellationToken: cancellationToken).ConfigureAwait(false);
            _vectors = result.Select(e => e.Vector).ToArray();
            return (_vectors, result.Usage?.InputTokenCount ?? 0);
        }
        finally
        {
            _embedLock.Release();
        }
    }
}
