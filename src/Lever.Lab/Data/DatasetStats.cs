namespace Lever.Lab.Data;

/// <summary>What the data stage produced: class counts per split and per group, and train/test overlap.</summary>
public sealed class DatasetStats
{
    /// <summary>Split name (train, validation, test) → label → count.</summary>
    public Dictionary<string, Dictionary<string, int>> Splits { get; set; } = [];

    /// <summary>Corpus group → number of emails read from it.</summary>
    public Dictionary<string, int> Groups { get; set; } = [];

    /// <summary>Test emails whose model text also occurs in the training or validation split (exact duplicates).</summary>
    public int TestDuplicatesOfTrain { get; set; }

    /// <summary>Emails whose body came out empty after parsing (their subject and sender remain).</summary>
    public int EmptyBodies { get; set; }

    /// <summary>Builds the stats of <paramref name="data"/>.</summary>
    public static DatasetStats Of(LabDataset data)
    {
        var stats = new DatasetStats();
        foreach (var (name, split) in new[] { ("train", data.Train), ("validation", data.Validation), ("test", data.Test) })
            // No label set (an extraction's outputs are texts): the split's size alone.
            stats.Splits[name] = data.Labels.Count == 0 ? new Dictionary<string, int> { ["examples"] = split.Count }
                : data.Labels.ToDictionary(l => l, l => split.Count(e => e.Label == l), StringComparer.Ordinal);
        foreach (var g in data.Train.Concat(data.Validation).Concat(data.Test).GroupBy(e => e.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
            stats.Groups[g.Key] = g.Count();
        var seen = data.Train.Concat(data.Validation).Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
        stats.TestDuplicatesOfTrain = data.Test.Count(e => seen.Contains(e.Text));
        stats.EmptyBodies = data.Train.Concat(data.Validation).Concat(data.Test).Count(e => e.Text.EndsWith("\n\n", StringComparison.Ordinal));
        return stats;
    }
}
