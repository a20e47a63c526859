using Lever.Training.Data;

namespace Lever.Training.Trainer;

/// <summary>
/// Which sequences make up each micro-batch, as a pure function of (step, micro-batch, seed): epoch e visits the
/// sequences in a Fisher–Yates permutation seeded by (seed, e). Because nothing depends on history, a resumed run
/// sees exactly the batches an uninterrupted run would. With replay, a seeded share of rows comes from general text.
/// </summary>
public sealed class BatchSampler(ISequenceSource source, int batchSize, int accumulation, int seed, ISequenceSource? replay = null, double replayFraction = 0)
{
    private int _epoch = -1;
    private int[] _order = [];

    /// <summary>Sequences consumed per optimizer step.</summary>
    public int SequencesPerStep => batchSize * accumulation;

    /// <summary>The examples of micro-batch <paramref name="micro"/> of 1-based optimizer step <paramref name="step"/>.</summary>
    public IReadOnlyList<TokenizedExample> MicroBatch(int step, int micro)
    {
        var rows = new List<TokenizedExample>(batchSize);
        for (int r = 0; r < batchSize; r++)
        {
            long k = ((long)(step - 1) * accumulation + micro) * batchSize + r;
            if (replay is { Count: > 0 } && replayFraction > 0 && Unit(k, 1) < replayFraction)
            {
                rows.Add(replay.Get((int)(Unit(k, 2) * replay.Count)));
                continue;
            }
            rows.Add(source.Get(Order((int)(k / source.Count))[(int)(k % source.Count)]));
        }
        return rows;
    }

    /// <summary>Steps that make <paramref name="epochs"/> passes over the data.</summary>
    public static int StepsForEpochs(double epochs, int sequences, int batchSize, int accumulation) =>
        Math.Max(1, (int)Math.Ceiling(epochs * sequences / (batchSize * (double)accumulation)));

    private int[] Order(int epoch)
    {
        if (epoch == _epoch) return _order;
        var order = Enumerable.Range(0, source.Count).ToArray();
        // Not HashCode.Combine: it is randomised per process, and the order must survive a restart.
        new Random(unchecked(seed * 1_000_003 + epoch * 7919 + 0x5EED)).Shuffle(order);
        (_epoch, _order) = (epoch, order);
        return order;
    }

    // A deterministic uniform in [0, 1) per (sample, purpose), independent of call order.
    private double Unit(long k, int purpose)
    {
        ulong z = (ulong)k * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed << 32 ^ (ulong)purpose;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
