namespace Lever.Training.Data;

/// <summary>A fixed, indexable list of training sequences (what the sampler shuffles and batches).</summary>
public interface ISequenceSource
{
    /// <summary>Number of sequences.</summary>
    int Count { get; }

    /// <summary>Sequence <paramref name="index"/>, labels in the <see cref="TokenizedExample"/> convention.</summary>
    TokenizedExample Get(int index);
}
