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
    public static LabDataset Split(IReadOnlyList<LabExample> pool, IReadOnlyList<LabExample> test, double validationFraction, int seed)
    {
        var train = new List<LabExample>();
        var validation = new List<LabExample>();
        foreach (var byLabel in pool.GroupBy(e => e.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
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

    /// <summary>The 64-bit seeded hash that orders examples.</summary>
    public static ulong Key(string id, int seed)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{id}"), hash);
        return BitConverter.ToUInt64(hash);
    }
}
