using System.Security.Cryptography;
using System.Text;

namespace Lever.Lab.Data;

/// <summary>
/// The lab's split: test is given (later-in-time groups); validation is a stratified share of the training groups
/// chosen by a seeded hash of each example's id — so the split depends only on ids and seed, never on file order,
/// thread timing or the runtime's random generator.
/// </summary>
internal static class DatasetSplitter
{
    /// <summary>Splits <paramref name="pool"/> into train and validation, and keeps <paramref name="test"/> as is.</summary>
    /// <remarks><paramref name="stratum"/> groups what is held out per group (default: the label; an extraction lab passes one group for all rows).</remarks>
    public static LabDataset Split(IReadOnlyList<LabExample> pool, IReadOnlyList<LabExample> test, double validationFraction, int seed, Func<LabExample, string>? stratum = null)
    {
        var train = new List<LabExample>();
        var validation = new List<LabExample>();
        foreach (var byLabel in pool.GroupBy(stratum ?? (e => e.Label)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = byLabel.OrderBy(e => Key(e.Id, seed)).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            var held = (int)Math.Round(ordered.Count * validationFraction, MidpointRounding.AwayFromZero);
            validation.AddRange(ordered.Take(held));
            train.AddRange(ordered.Skip(held));
        }
        // A seeded interleaving of the classes, so training that reads in order never sees one class in a block.
        train.Sort((a, b) => Key(a.Id, seed + 1).CompareTo(Key(b.Id, seed + 1)));
        validation.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var sortedTest = test.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        var labels = pool.Concat(test).Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        return new LabDataset(labels, train, validation, sortedTest);
    }

    /// <summary>
    /// A team's file with no test file: per class, the <paramref name="testFraction"/> of its rows first in seeded hash
    /// order of their ids (at least one, never all) become the test; the rest is the pool for train and validation.
    /// </summary>
    public static (List<LabExample> Pool, List<LabExample> Test) HoldOutStratified(IReadOnlyList<LabExample> rows, double testFraction, int seed, Func<LabExample, string>? stratum = null)
    {
        var pool = new List<LabExample>();
        var test = new List<LabExample>();
        foreach (var byLabel in rows.GroupBy(stratum ?? (e => e.Label)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = byLabel.OrderBy(e => Key(e.Id, seed + 2)).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            var held = Math.Clamp((int)Math.Round(ordered.Count * testFraction, MidpointRounding.AwayFromZero), 1, ordered.Count - 1);
            test.AddRange(ordered.Take(held));
            pool.AddRange(ordered.Skip(held));
        }
        return (pool, test);
    }

    /// <summary>
    /// A team's file split in time: the last <paramref name="testFraction"/> of <paramref name="ordered"/> (already in
    /// time or file order) are the test — a model is measured on what came after what it learnt from.
    /// </summary>
    public static (List<LabExample> Pool, List<LabExample> Test) HoldOutLast(IReadOnlyList<LabExample> ordered, double testFraction)
    {
        var held = Math.Clamp((int)Math.Round(ordered.Count * testFraction, MidpointRounding.AwayFromZero), 1, ordered.Count - 1);
        return (ordered.Take(ordered.Count - held).ToList(), ordered.Skip(ordered.Count - held).ToList());
    }

    /// <summary>The 64-bit seeded hash that orders examples.</summary>
    public static ulong Key(string id, int seed)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{id}"), hash);
        return BitConverter.ToUInt64(hash);
    }
}
