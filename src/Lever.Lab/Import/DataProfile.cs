using Lever.Core;
using Lever.Evals.Metrics;

namespace Lever.Lab.Import;

/// <summary>
/// What <c>lever lab init</c> found in a team's data: size, classes and their balance, lengths, duplicates and
/// conflicting labels, overlap with a given test file, and where the row count sits in the seeds' data-size table.
/// </summary>
public sealed record DataProfile
{
    /// <summary>Rows read.</summary>
    public required int Rows { get; init; }

    /// <summary>The task the profile was made for.</summary>
    public required string Task { get; init; }

    /// <summary>Classification: each label and its row count, most frequent first (ties by label).</summary>
    public required IReadOnlyList<(string Label, int Count)> Classes { get; init; }

    /// <summary>Rows of the most frequent class over rows of the least frequent one (1 when balanced; null without classes).</summary>
    public double? Imbalance => Classes.Count < 2 ? null : (double)Classes[0].Count / Classes[^1].Count;

    /// <summary>Input length in estimated tokens (characters / 4, rounded up): p50, p90, p99, max.</summary>
    public required (int P50, int P90, int P99, int Max) InputTokens { get; init; }

    /// <summary>Output length in estimated tokens, for extraction and transformation.</summary>
    public (int P50, int P90, int P99, int Max)? OutputTokens { get; init; }

    /// <summary>Rows whose input repeats an earlier row's exactly (after lower-casing and collapsing white space).</summary>
    public required int ExactDuplicates { get; init; }

    /// <summary>Exact-duplicate inputs with different outputs: (line, line, output, output), at most 20.</summary>
    public required IReadOnlyList<(int LineA, int LineB, string OutputA, string OutputB)> Conflicts { get; init; }

    /// <summary>How many exact-duplicate pairs disagree in all.</summary>
    public required int ConflictCount { get; init; }

    /// <summary>Near-duplicate pairs (word 3-gram Jaccard ≥ 0.8, not exact): (line, line), at most 20 listed.</summary>
    public required IReadOnlyList<(int LineA, int LineB)> NearDuplicatePairs { get; init; }

    /// <summary>How many near-duplicate pairs there are in all.</summary>
    public required int NearDuplicateCount { get; init; }

    /// <summary>With a test file: its rows whose input equals a training row's (exact) and those only nearly equal.</summary>
    public (int Exact, int Near)? TestOverlap { get; init; }

    /// <summary>The seeds' data-size band for this task and the row count's place in it.</summary>
    public required Sufficiency Sufficiency { get; init; }

    /// <summary>Profiles <paramref name="data"/> for <paramref name="task"/>; <paramref name="test"/> adds the train/test overlap.</summary>
    public static DataProfile Of(ImportedDataset data, string task, ImportedDataset? test = null)
    {
        var rows = data.Rows;
        var classes = task == LabTasks.Classification
            ? rows.GroupBy(r => r.Output, StringComparer.Ordinal).Select(g => (g.Key, g.Count())).OrderByDescending(c => c.Item2).ThenBy(c => c.Key, StringComparer.Ordinal).ToList()
            : [];
        var firstByText = new Dictionary<string, ImportedExample>(StringComparer.Ordinal);
        int exact = 0, conflictCount = 0;
        var conflicts = new List<(int, int, string, string)>();
        foreach (var r in rows)
        {
            var key = NearDuplicates.Normalize(r.Input);
            if (!firstByText.TryGetValue(key, out var first))
            {
                firstByText[key] = r;
                continue;
            }
            exact++;
            if (first.Output == r.Output) continue;
            conflictCount++;
            if (conflicts.Count < 20) conflicts.Add((first.Line, r.Line, first.Output, r.Output));
        }
        var near = NearDuplicates.Find(rows.Select(r => r.Input).ToList());
        (int, int)? overlap = null;
        if (test is not null)
        {
            var trainTexts = firstByText.Keys.ToHashSet(StringComparer.Ordinal);
            var exactTest = test.Rows.Count(t => trainTexts.Contains(NearDuplicates.Normalize(t.Input)));
            var across = NearDuplicates.Find(rows.Select(r => r.Input).Concat(test.Rows.Select(t => t.Input)).ToList(), across: rows.Count);
            overlap = (exactTest, across.Select(p => p.B).Distinct().Count());
        }
        return new DataProfile
        {
            Rows = rows.Count,
            Task = task,
            Classes = classes,
            InputTokens = Lengths(rows.Select(r => r.Input)),
            OutputTokens = task == LabTasks.Classification ? null : Lengths(rows.Select(r => r.Output)),
            ExactDuplicates = exact,
            Conflicts = conflicts,
            ConflictCount = conflictCount,
            NearDuplicatePairs = near.Take(20).Select(p => (rows[p.A].Line, rows[p.B].Line)).ToList(),
            NearDuplicateCount = near.Count,
            TestOverlap = overlap,
            Sufficiency = Sufficiency.For(task, rows.Count, classes.Count),
        };
    }

    /// <summary>
    /// Refuses data a classification lab cannot use: a class with fewer than 2 examples (it cannot be both trained on
    /// and held out), and a test file with a label training never shows.
    /// </summary>
    public static void CheckClassification(ImportedDataset data, ImportedDataset? test)
    {
        var counts = data.Rows.GroupBy(r => r.Output, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (counts.Count < 2)
            throw new LeverUserException($"{data.Path}: only one class ('{counts.Keys.Single()}') in {data.Rows.Count} rows", "classification needs at least two labels; is --label-field the right column?");
        var rare = counts.Where(c => c.Value.Count < 2).OrderBy(c => c.Value[0].Line).FirstOrDefault();
        if (rare.Key is not null)
            throw new LeverUserException($"{data.Path}:{rare.Value[0].Line}: class '{rare.Key}' has 1 example; a class needs at least 2 (one to train on, one to test)",
                "add examples of it, merge it into another class, or remove the row");
        if (test?.Rows.FirstOrDefault(t => !counts.ContainsKey(t.Output)) is { } unknown)
            throw new LeverUserException($"{test.Path}:{unknown.Line}: label '{unknown.Output}' does not occur in the training data ({data.Path})",
                $"the test's labels must be among training's: {string.Join(", ", counts.Keys.Order(StringComparer.Ordinal).Take(12))}");
    }

    private static (int, int, int, int) Lengths(IEnumerable<string> texts)
    {
        var tokens = texts.Select(t => (double)((t.Length + 3) / 4)).ToList();
        return ((int)Percentile.Of(tokens, 50), (int)Percentile.Of(tokens, 90), (int)Percentile.Of(tokens, 99), (int)tokens.Max());
    }
}
