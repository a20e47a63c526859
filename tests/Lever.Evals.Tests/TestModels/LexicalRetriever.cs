using Lever.Evals.Internal;
using Lever.Evals.Retrieval;

namespace Lever.Evals.Tests.TestModels;

/// <summary>A tiny in-memory retriever for tests: ranks documents by shared normalized words with the query.</summary>
internal sealed class LexicalRetriever(IReadOnlyList<RetrievedPassage> docs) : IRetriever
{
    public int Calls { get; private set; }

    public Task<IReadOnlyList<RetrievedPassage>> RetrieveAsync(RetrievalRequest request, CancellationToken cancellationToken = default)
    {
        Calls++;
        var q = TextNormalizer.Tokens(request.Query).ToHashSet();
        IReadOnlyList<RetrievedPassage> top = docs
            .Select((d, i) => (d, i, score: TextNormalizer.Tokens(d.Text).Distinct().Count(q.Contains)))
            .Where(x => x.score > 0)
            .OrderByDescending(x => x.score).ThenBy(x => x.i)
            .Take(request.K)
            .Select(x => x.d with { Score = x.score })
            .ToList();
        return Task.FromResult(top);
    }
}
