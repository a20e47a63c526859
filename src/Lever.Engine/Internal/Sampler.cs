using Lever.Core;
using Lever.Engine.Generation;
using static TorchSharp.torch;

namespace Lever.Engine.Internal;

/// <summary>Picks the next token from logits: repetition penalty, then temperature, top-k and top-p, then a draw.</summary>
internal sealed class Sampler
{
    private readonly GenerationOptions _options;
    private readonly Generator? _generator;

    public Sampler(GenerationOptions options)
    {
        _options = options;
        if (options.Temperature > 0)
            _generator = new Generator((ulong)(options.Seed ?? Random.Shared.NextInt64()));
    }

    /// <summary>Next token for <paramref name="logits"/> (V), float32, given the tokens already in the sequence.</summary>
    public int Next(Tensor logits, IReadOnlyCollection<int> seen)
    {
        using var scope = NewDisposeScope();
        // Finite weights can still overflow float32 (a flipped exponent byte gives 1e38): NaN or infinite scores would
        // crash multinomial, so they are refused here as the user's model's fault.
        if (!logits.isfinite().all().item<bool>())
            throw new LeverUserException("the model computed non-finite scores (NaN or infinity) for the next token",
                "its weights are damaged or too large for float32: re-download or re-save the checkpoint");
        if (_options.RepetitionPenalty != 1.0 && seen.Count > 0)
        {
            var index = tensor(seen.Distinct().Select(i => (long)i).ToArray(), device: logits.device);
            var values = logits.gather(0, index);
            values = where(values > 0, values / _options.RepetitionPenalty, values * _options.RepetitionPenalty);
            logits = logits.scatter(0, index, values);
        }
        if (_options.Temperature <= 0) return (int)logits.argmax().item<long>();

        logits = logits / _options.Temperature;
        var vocab = logits.shape[0];
        if (_options.TopK > 0 && _options.TopK < vocab)
        {
            var kth = logits.topk(_options.TopK).values[-1];
            logits = logits.masked_fill(logits < kth, float.NegativeInfinity);
        }
        if (_options.TopP < 1.0)
        {
            var (sorted, order) = logits.sort(descending: true);
            var probs = sorted.softmax(0);
            // Keep a token while the mass before it is below p, so the first token always stays.
            var before = probs.cumsum(0) - probs;
            var drop = before >= _options.TopP;
            var dropInVocabOrder = zeros_like(drop).scatter(0, order, drop);
            logits = logits.masked_fill(dropInVocabOrder, float.NegativeInfinity);
        }
        var p = logits.softmax(0);
        return (int)multinomial(p, 1, generator: _generator).item<long>();
    }
}
