using Lever.Evals.Scoring;

namespace Lever.Evals.Tests;

public class ClassificationReportTests
{
    [Fact]
    public void Matches_the_hand_computed_example()
    {
        // gold a a b b c, pred a b b b a: a P=.5 R=.5 F=.5; b P=2/3 R=1 F=.8; c F=0 → macro 1.3/3; accuracy 3/5.
        var r = ClassificationReport.Compute([("a", "a"), ("a", "b"), ("b", "b"), ("b", "b"), ("c", "a")], ["a", "b", "c"]);
        Assert.Equal(0.6, r.Accuracy, 12);
        Assert.Equal(1.3 / 3, r.MacroF1, 12);
        Assert.Equal(2, r.Confusion["b"]["b"]);
        Assert.Equal(1, r.Confusion["c"]["a"]);
        Assert.Equal(2, r.Classes["b"].Support);
    }

    [Fact]
    public void Macro_f1_equals_a_brute_force_count_on_random_labels()
    {
        var rng = new Random(7);
        string[] labels = ["x", "y", "z", "w"];
        for (int trial = 0; trial < 50; trial++)
        {
            var pairs = Enumerable.Range(0, rng.Next(1, 40))
                .Select(_ => (labels[rng.Next(4)], rng.Next(10) == 0 ? (string?)null : labels[rng.Next(4)])).ToList();
            var report = ClassificationReport.Compute(pairs, labels);

            // Brute force, by the other formula F1 = 2TP / (2TP + FP + FN), over classes that occur anywhere.
            var f1s = new List<double>();
            foreach (var c in labels)
            {
                int tp = 0, fp = 0, fn = 0;
                foreach (var (g, p) in pairs)
                {
                    if (g == c && p == c) tp++;
                    else if (p == c) fp++;
                    else if (g == c) fn++;
                }
                if (tp + fp + fn > 0) f1s.Add(2.0 * tp / (2 * tp + fp + fn));
            }
            Assert.Equal(f1s.Average(), report.MacroF1, 10);
            Assert.Equal((double)pairs.Count(p => p.Item1 == p.Item2) / pairs.Count, report.Accuracy, 12);
        }
    }

    [Fact]
    public void Unparsable_predictions_are_misses_shown_as_invalid()
    {
        var r = ClassificationReport.Compute([("a", null), ("a", "a"), ("b", "nonsense")], ["a", "b"]);
        Assert.Equal(1, r.Confusion["a"][ClassificationReport.Invalid]);
        Assert.Equal(1, r.Confusion["b"][ClassificationReport.Invalid]);
        Assert.Equal(1.0 / 3, r.Accuracy, 12);
        // a: tp1 fn1 → F = 2/3; b: fn1 → F = 0 → macro 1/3
        Assert.Equal(1.0 / 3, r.MacroF1, 12);
    }
}
