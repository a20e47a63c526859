using Lever.Core;
using Lever.Core.Constraints;
using Lever.Engine.Generation;
using Lever.Engine.Tokenizers;
using static TorchSharp.torch;

namespace Lever.Engine.Internal;

/// <summary>
/// Picks the next token from logits: repetition penalty, the response format's mask (constrained decoding), then
/// temperature, top-k and top-p, then a draw.
/// </summary>
internal sealed class Sampler
{
    private readonly GenerationOptions _options;
    private readonly Generator? _generator;
    private readonly JsonTokenMask? _mask;

    /// <summary>A sampler for one generation of at most <paramref name="maxTokens"/>; <paramref name="endTokens"/> end it (EOS, stop ids).</summary>
    public Sampler(GenerationOptions options, ModelTokenizer tokenizer, IEnumerable<int> endTokens, int maxTokens)
    {
        _options = options;
        if (options.Temperature > 0)
            _generator = new Generator((ulong)(options.Seed ?? Random.Shared.NextInt64()));
        if (options.ResponseFormat is { } format)
            _mask = new JsonTokenMask(format, tokenizer.ConstraintVocabulary, endTokens, maxTokens);
    }

    /// <summary>The response format's document is complete: the generation ends here.</summary>
    public bool Complete => _mask?.IsComplete == true;

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
        if (_mask is not null) logits = Masked(logits, _mask.Allowed());
        var token = Choose(logits);
        _mask?.Accept(token);
        return token;
    }

    /// <summary>Logits with every token outside <paramref name="allowed"/> at minus infinity.</summary>
    private static Tensor Masked(Tensor logits, List<int> allowed)
    {
        var bias = new float[logits.shape[0]];
        Array.Fill(bias, float.NegativeInfinity);
        foreach (var id in allowed)
            if (id < bias.Length) bias[id] = 0;
        return logits + tensor(bias, device: logits.device);
    }

    private int Choose(Tensor logits)
    {
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
