namespace Lever.Training.Data;

/// <summary>Fine-tuning: one example per sequence, truncated to <c>maxLength</c> tokens (the batch pads).</summary>
public sealed class ExampleSequences(TokenStore store, int maxLength) : ISequenceSource
{
    /// <inheritdoc />
    public int Count => store.Count;

    /// <inheritdoc />
    public TokenizedExample Get(int index)
    {
        var (ids, trainable) = store.ReadExample(index, maxLength);
        var labels = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++) labels[i] = trainable[i] ? ids[i] : TokenizedExample.IgnoreIndex;
        return new TokenizedExample(ids, labels);
    }
}
