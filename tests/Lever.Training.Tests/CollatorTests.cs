using Lever.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Lever.Training.Tests;

public sealed class CollatorTests
{
    [Fact]
    public void Summed_loss_scores_position_t_on_label_t_plus_1_and_skips_ignored_labels()
    {
        using var scope = NewDisposeScope();
        var logits = randn([2, 4, 5], generator: new Generator(3));
        long[,] labels = { { 1, 2, -100, 3 }, { -100, 4, 0, -100 } };
        var flat = logits.data<float>().ToArray();

        // Scalar reference: −log softmax(logits[b, t])[labels[b, t+1]] over every labelled next position.
        double expected = 0;
        for (int b = 0; b < 2; b++)
        {
            for (int t = 0; t < 3; t++)
            {
                var label = labels[b, t + 1];
                if (label < 0) continue;
                var row = Enumerable.Range(0, 5).Select(v => (double)flat[(b * 4 + t) * 5 + v]).ToArray();
                var max = row.Max();
                var logSum = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
                expected += logSum - row[label];
            }
        }
        var labelTensor = tensor(new long[] { 1, 2, -100, 3, -100, 4, 0, -100 }, [2, 4]);
        Assert.Equal(expected, Collator.SummedLoss(logits, labelTensor).item<float>(), 4);
    }
}
