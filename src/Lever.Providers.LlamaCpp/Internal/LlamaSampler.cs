// Token choice from llama.cpp's logits, in managed code so greedy decoding is exactly argmax (the parity test compares
// it with the TorchSharp engine token for token) and a seed gives the same text on every machine: repetition
// penalty (CTRL: divide positive logits, multiply negative ones), the response format's mask (only the tokens the JSON
// automaton allows are candidates), temperature, top-k, top-p, then one draw.
using Lever.Core.Constraints;

namespace Lever.Providers.LlamaCpp.Internal;

internal sealed class LlamaSampler(LlamaCppSampling sampling, JsonTokenMask? mask = null)
{
    private readonly Random _random = sampling.Seed is { } seed ? new Random(unchecked((int)seed ^ (int)(seed >> 32))) : new Random();

    /// <summary>The response format's document is complete: the generation ends here.</summary>
    public bool Complete => mask?.IsComplete == true;

    public int Next(ReadOnlySpan<float> logits, IReadOnlyList<int> history)
    {
        var token = Choose(logits, history);
        mask?.Accept(token);
        return token;
    }

    private int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> history)
    {
        var scores = logits.ToArray();
        if (sampling.RepetitionPenalty is not 1.0 and > 0)
        {
            var penalty = (float)sampling.RepetitionPenalty;
            foreach (var id in history.Distinct())
                if (id >= 0 && id < scores.Length) scores[id] = scores[id] > 0 ? scores[id] / penalty : scores[id] * penalty;
        }
        IEnumerable<int> candidates = Enumerable.Range(0, scores.Length);
        if (mask is not null)
        {
            var allowed = mask.Allowed().Where(id => id < scores.Length).ToHashSet();
            for (var i = 0; i < scores.Length; i++)
                if (!allowed.Contains(i)) scores[i] = float.NegativeInfinity;
            candidates = allowed;
        }
        if (sampling.Temperature <= 0) return Argmax(scores);

        var order = candidates.OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var k = sampling.TopK > 0 ? Math.Min(sampling.TopK, order.Length) : order.Length;
        var max = scores[order[0]];
        var probs = new double[k];
        double total = 0;
        for (var i = 0; i < k; i++) total += probs[i] = Math.Exp((scores[order[i]] - max) / sampling.Temperature);
        var keep = k;
        if (sampling.TopP is > 0 and < 1)
        {
            double mass = 0;
            for (var i = 0; i < k; i++)
            {
                mass += probs[i] / total;
                if (mass >= sampling.TopP) { keep = i + 1; break; }
            }
        }
        double kept = 0;
        for (var i = 0; i < keep; i++) kept += probs[i];
        var r = _random.NextDouble() * kept;
        for (var i = 0; i < keep; i++)
        {
            r -= probs[i];
            if (r <= 0) return order[i];
        }
        return order[keep - 1];
    }

    private static int Argmax(float[] scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }
}
