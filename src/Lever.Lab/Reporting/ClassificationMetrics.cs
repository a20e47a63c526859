namespace Lever.Lab.Reporting;

/// <summary>
/// Label metrics over one set of predictions: accuracy, macro-F1 (the unweighted mean of per-class F1, so the
/// smaller class counts as much as the larger) and the confusion matrix. A prediction outside the label set
/// counts as wrong and gets its own "(other)" column.
/// </summary>
public sealed class ClassificationMetrics
{
    /// <summary>The column name for predictions outside the label set.</summary>
    public const string Other = "(other)";

    private ClassificationMetrics(IReadOnlyList<string> labels, IReadOnlyList<string> columns, long[][] confusion, double accuracy, double macroF1, IReadOnlyList<double> f1)
    {
        Labels = labels;
        Columns = columns;
        Confusion = confusion;
        Accuracy = accuracy;
        MacroF1 = macroF1;
        F1 = f1;
    }

    /// <summary>The true classes (matrix rows).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The predicted classes (matrix columns): the labels, plus <see cref="Other"/> when needed.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Counts: <c>Confusion[expected][predicted]</c>, indexed like <see cref="Labels"/> and <see cref="Columns"/>.</summary>
    public IReadOnlyList<long[]> Confusion { get; }

    /// <summary>Share of predictions equal to the expected label.</summary>
    public double Accuracy { get; }

    /// <summary>Mean of the per-class F1 scores.</summary>
    public double MacroF1 { get; }

    /// <summary>F1 per class, indexed like <see cref="Labels"/>.</summary>
    public IReadOnlyList<double> F1 { get; }

    /// <summary>Number of predictions scored.</summary>
    public long Count => Confusion.Sum(r => r.Sum());

    /// <summary>Scores <paramref name="predicted"/> against <paramref name="expected"/> (same order, same length).</summary>
    public static ClassificationMetrics Compute(IReadOnlyList<string> labels, IReadOnlyList<string> expected, IReadOnlyList<string> predicted)
    {
        if (expected.Count != predicted.Count) throw new ArgumentException($"{expected.Count} expected labels but {predicted.Count} predictions");
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var anyOther = predicted.Any(p => !index.ContainsKey(p));
        var columns = anyOther ? labels.Append(Other).ToList() : labels.ToList();
        var confusion = labels.Select(_ => new long[columns.Count]).ToArray();
        var correct = 0L;
        for (var i = 0; i < expected.Count; i++)
        {
            if (!index.TryGetValue(expected[i], out var row)) throw new ArgumentException($"expected label '{expected[i]}' is not one of: {string.Join(", ", labels)}");
            var col = index.TryGetValue(predicted[i], out var c) ? c : columns.Count - 1;
            confusion[row][col]++;
            if (row == col) correct++;
        }
        var f1 = new double[labels.Count];
        for (var k = 0; k < labels.Count; k++)
        {
            var tp = (double)confusion[k][k];
            var fn = confusion[k].Sum() - tp;
            var fp = confusion.Sum(r => r[k]) - tp;
            var precision = tp + fp > 0 ? tp / (tp + fp) : 0;
            var recall = tp + fn > 0 ? tp / (tp + fn) : 0;
            f1[k] = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        }
        var accuracy = expected.Count == 0 ? 0 : (double)correct / expected.Count;
        return new ClassificationMetrics(labels, columns, confusion, accuracy, labels.Count == 0 ? 0 : f1.Average(), f1);
    }

    /// <summary>The <paramref name="p"/>-th percentile (0–100) with linear interpolation between closest ranks (NumPy's default).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        var rank = p / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
