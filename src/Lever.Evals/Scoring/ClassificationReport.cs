namespace Lever.Evals.Scoring;

/// <summary>
/// Set-level classification metrics — the one implementation behind <c>lever eval</c> and <c>lever lab</c>: accuracy,
/// per-class precision/recall/F1, macro-F1 and the confusion matrix. Classes are the label set plus any gold label; a
/// class with neither gold items nor predictions is left out of the macro average (it has no F1 to speak of). A
/// prediction names a label when it equals one exactly, else when it equals one ignoring case (reported in the label
/// set's spelling); anything else (or a null prediction: the answer did not parse) counts as a miss for its gold class
/// and appears in the matrix as <see cref="Invalid"/>.
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

    /// <summary>confusion[gold][predicted] = count (cells that are zero are absent; see <see cref="Cell"/>).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Confusion { get; init; }

    /// <summary>The matrix rows in display order: the label set in its order, then gold labels outside it.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The matrix columns: <see cref="Labels"/>, then <see cref="Invalid"/> when any prediction was invalid.</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>Number of items scored.</summary>
    public required int Count { get; init; }

    /// <summary>How many items of class <paramref name="gold"/> were predicted as <paramref name="predicted"/>.</summary>
    public int Cell(string gold, string predicted) =>
        Confusion.TryGetValue(gold, out var row) && row.TryGetValue(predicted, out var n) ? n : 0;

    /// <summary>F1 of <paramref name="label"/>; 0 for a class with neither gold items nor predictions.</summary>
    public double F1Of(string label) => Classes.TryGetValue(label, out var c) ? c.F1 : 0;

    /// <summary>Computes the report from (gold, predicted-or-null) pairs.</summary>
    public static ClassificationReport Compute(IReadOnlyList<(string Gold, string? Predicted)> pairs, IReadOnlyList<string> labels)
    {
        // Exact first, so labels that differ only in case stay apart; then ignoring case (a model's "Spam" is spam).
        string Canon(string s) => labels.FirstOrDefault(l => string.Equals(l, s, StringComparison.Ordinal))
                                  ?? labels.FirstOrDefault(l => string.Equals(l, s, StringComparison.OrdinalIgnoreCase)) ?? s;
        var norm = pairs.Select(p => (Gold: Canon(p.Gold), Pred: p.Predicted is null ? Invalid : Canon(p.Predicted))).ToList();
        var rows = labels.Distinct(StringComparer.Ordinal).ToList();
        foreach (var (g, _) in norm)
            if (!rows.Contains(g, StringComparer.Ordinal)) rows.Add(g);
        var known = new HashSet<string>(rows, StringComparer.Ordinal);
        norm = norm.Select(p => (p.Gold, Pred: known.Contains(p.Pred) ? p.Pred : Invalid)).ToList();

        var classes = new SortedDictionary<string, ClassMetrics>(StringComparer.Ordinal);
        foreach (var c in rows)
        {
            int tp = norm.Count(p => p.Gold == c && p.Pred == c);
            int fp = norm.Count(p => p.Gold != c && p.Pred == c);
            int fn = norm.Count(p => p.Gold == c && p.Pred != c);
            if (tp + fp + fn == 0) continue;
            double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassMetrics(precision, recall, f1, tp + fn);
        }
        var confusion = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var g in norm.Select(p => p.Gold).Distinct())
        {
            confusion[g] = new SortedDictionary<string, int>(
                norm.Where(p => p.Gold == g).GroupBy(p => p.Pred).ToDictionary(x => x.Key, x => x.Count()), StringComparer.Ordinal);
        }
        return new ClassificationReport
        {
            Accuracy = norm.Count == 0 ? 0 : (double)norm.Count(p => p.Gold == p.Pred) / norm.Count,
            MacroF1 = classes.Count == 0 ? 0 : classes.Values.Average(c => c.F1),
            Classes = classes,
            Confusion = confusion,
            Labels = rows,
            Columns = norm.Any(p => p.Pred == Invalid) ? [.. rows, Invalid] : rows,
            Count = norm.Count,
        };
    }
}
