namespace Lever.Providers.LlamaCpp.Internal;

/// <summary>Continuation log-likelihoods from llama.cpp: the prompt is tokenized with BOS, the continuation without, as the engine's scorer does; a shared prompt stays in the KV cache between items.</summary>
internal sealed class LlamaCppScorer(LlamaCppModel model) : IContinuationScorer
{
    public string ModelId => model.ModelId;

    public IReadOnlyList<double> Score(IReadOnlyList<(string Prompt, string Continuation)> items, CancellationToken cancellationToken = default) =>
        items.Select(i => model.Score(model.Tokenize(i.Prompt, addSpecial: true), model.Tokenize(i.Continuation, addSpecial: false), cancellationToken).LogProbability).ToArray();

    public void Dispose() => model.Dispose();
}
