namespace Lever.Training.Data;

/// <summary>
/// Pre-training packing: all documents end to end (each already ends with EOS), cut into back-to-back windows of
/// <c>seqLen</c> tokens, so no position is wasted on padding. The last partial window is dropped unless it is
/// the only one.
/// </summary>
public sealed class PackedSequences(TokenStore store, int seqLen) : ISequenceSource
{
    /// <inheritdoc />
    public int Count => store.TotalTokens < 2 ? 0 : (int)Math.Max(1, store.TotalTokens / seqLen);

    /// <inheritdoc />
    public TokenizedExample Get(int index)
    {
        long start = (long)index * seqLen;
        int n = (int)Math.Min(seqLen, store.TotalTokens - start);
        var (ids, trainable) = store.ReadSpan(start, n);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = trainable[i] ? ids[i] : TokenizedExample.IgnoreIndex;
        return new TokenizedExample(ids, labels);
    }
}
