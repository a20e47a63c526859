using Lever.Training.Data;
using static TorchSharp.torch;

namespace Lever.Training.Trainer;

/// <summary>Stacks examples into (B, T) input and label tensors, right-padding with <c>padId</c> and ignored labels.</summary>
public static class Collator
{
    /// <summary>Input ids (B, T) and labels (B, T), both int64.</summary>
    public static (Tensor Input, Tensor Labels) Collate(IReadOnlyList<TokenizedExample> rows, int padId, Device? device = null)
    {
        int t = rows.Max(r => r.InputIds.Length);
        var ids = new long[rows.Count * t];
        var labels = new long[rows.Count * t];
        for (int b = 0; b < rows.Count; b++)
        {
            for (int i = 0; i < t; i++)
            {
                bool real = i < rows[b].InputIds.Length;
                ids[b * t + i] = real ? rows[b].InputIds[i] : padId;
                labels[b * t + i] = real ? rows[b].Labels[i] : TokenizedExample.IgnoreIndex;
            }
        }
        return (tensor(ids, [rows.Count, t], device: device), tensor(labels, [rows.Count, t], device: device));
    }

    /// <summary>Labels that carry loss in a batch (shifted: the first position of a row predicts nothing).</summary>
    public static long CountTargets(IReadOnlyList<TokenizedExample> rows) => rows.Sum(r => (long)r.TrainableTokens);

    /// <summary>
    /// Summed next-token cross-entropy of <paramref name="logits"/> (B, T, V) against <paramref name="labels"/> (B, T):
    /// position t is scored on label t+1, ignored labels skipped.
    /// </summary>
    public static Tensor SummedLoss(Tensor logits, Tensor labels)
    {
        var v = logits.shape[2];
        // Shift the labels left rather than slicing the logits: a slice of (B, T, V) is not contiguous, so reshaping it
        // would copy every logit (and its gradient in the backward) — the largest tensors of a step at a big vocabulary.
        // The last position then predicts an ignored label and adds nothing.
        var ignored = full(labels.shape[0], 1, TokenizedExample.IgnoreIndex, ScalarType.Int64, labels.device);
        var shiftedLabels = cat([labels[.., 1..], ignored], 1).reshape(-1);   // (B·T,)
        return nn.functional.cross_entropy(logits.reshape(-1, v), shiftedLabels, ignore_index: TokenizedExample.IgnoreIndex, reduction: nn.Reduction.Sum);
    }
}
