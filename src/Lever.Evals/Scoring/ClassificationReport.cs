namespace Lever.Evals.Scoring;

/// <summary>
/// Set-level classification metrics: accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix.
/// Classes are the label set plus any gold label; a class with neither gold items nor predictions is left out of
/// the macro average (it has no F1 to speak of). A prediction outside the label set counts as a miss for its gold
/// class and appears in the matrix as "(invalid)".
/// </summary>
public sealed record ClassificationReport
{
    /// <summary>Name of the confusion-matrix column for predictions outside the label set.</summary>
    public const string Invalid = "(invalid)";

    /// <summary>Fraction of items predicted right.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Unweighted mean of per-class F1.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>Per class: precision, recall, F1, support.</summary>
    public required IReadOnlyDictionary<string, ClassMetrics> Classes { get; init; }

    /// <summary>confusion[gold][predicted] = count.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Confusion { get; init; }

    /// <summary>Computes the report from (gold, predicted-or-null) pairs; labels compare case-insensitively, reported as in <paramref name="labels"/>.</summary>
    public static ClassificationReport Compute(IReadOnlyList<(string Gold, string? Predicted)> pairs, IReadOnlyList<string> labels)
    {
        string Canon(string s) => labels.FirstOrDefault(l => string.Equals(l, s, StringComparison.OrdinalIgnoreCase)) ?? s;
        var norm = pairs.Select(p => (Gold: Canon(p.Gold), Pred: p.Predicted is null ? Invalid : Canon(p.Predicted))).ToList();
        var known = new HashSet<string>(labels, StringComparer.Ordinal);
        foreach (var (g, _) in norm) known.Add(g);
        var norm2 = norm.Select(p => (p.Gold, Pred: known.Contains(p.Pred) ? p.Pred : Invalid)).ToList();

        var classes = new SortedDictionary<string, ClassMetrics>(StringComparer.Ordinal);
        foreach (var c in known)
        {
            int tp = norm2.Count(p => p.Gold == c && p.Pred == c);
            int fp = norm2.Count(p => p.Gold != c && p.Pred == c);
            int fn = norm2.Count(p => p.Gold == c && p.Pred != c);
            if (tp + fp + fn == 0) continue;
            double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassMetrics(precision, recall, f1, tp + fn);
        }
        var confusion = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var g in norm2.Select(p => p.Gold).Distinct())
        {
            confusion[g] = new SortedDictionary<string, int>(
                norm2.Where(p => p.Gold == g).GroupBy(p => p.Pred).ToDictionary(x => x.Key, x => x.Count()), StringComparer.Ordinal);
        }
        return new ClassificationReport
        {
            Accuracy = norm2.Count == 0 ? 0 : (double)norm2.Count(p => p.Gold == p.Pred) / norm2.Count,
            MacroF1 = classes.Count == 0 ? 0 : classes.Values.Average(c => c.F1),
            Classes = classes,
            Confusion = confusion,
        };
    }
}
