using Lever.Engine.Generation;

namespace Lever.Providers.Engine.Internal;

/// <summary>Continuation log-likelihoods from the engine, batched over the items (one forward per batch).</summary>
internal sealed class EngineScorer(TextGenerator generator, string modelId) : IContinuationScorer
{
    public string ModelId => modelId;

    public IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Continuation)> items, CancellationToken cancellationToken = default) =>
        generator.Score(items, batchSize: Math.Clamp(items.Count, 1, 32), cancellationToken).Select(s => s.LogProbability).ToArray();

    public void Dispose() => generator.Dispose();
}
