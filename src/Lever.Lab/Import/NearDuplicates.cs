using System.Globalization;
using System.Text;

namespace Lever.Lab.Import;

/// <summary>
/// Exact and near-duplicate texts. Exact: equal after lower-casing and collapsing white space. Near: Jaccard similarity
/// of word 3-gram sets at least <see cref="Threshold"/>, found with MinHash (32 hashes in 8 bands of 4, so a pair at
/// 0.8 is a candidate with probability ≈ 0.96) and then checked exactly — every reported pair really is that similar.
/// </summary>
public static class NearDuplicates
{
    /// <summary>Word 3-gram Jaccard at or above which two texts are near-duplicates.</summary>
    public const double Threshold = 0.8;

    private const int Hashes = 32, Bands = 8, Rows = Hashes / Bands;

    /// <summary>The normalized form used for exact duplicates.</summary>
    public static string Normalize(string text) =>
        string.Join(' ', text.ToLower(CultureInfo.InvariantCulture).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Pairs (i, j), i &lt; j, of <paramref name="texts"/> that are near-duplicates but not exact ones, each with its
    /// similarity (a text's exact duplicates take no part: they are counted as exact); <paramref name="across"/> keeps
    /// only pairs with i below it and j at or above it (train vs test).
    /// </summary>
    public static IReadOnlyList<(int A, int B, double Similarity)> Find(IReadOnlyList<string> texts, int? across = null)
    {
        var normalized = texts.Select(Normalize).ToList();
        var shingles = normalized.Select(Shingles).ToList();
        var buckets = new Dictionary<(int Band, ulong Key), List<int>>();
        // A text equal to an earlier one is that one's exact duplicate: only first occurrences are compared.
        var first = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            if (shingles[i].Count == 0 || !first.Add(normalized[i])) continue;
            var signature = Signature(shingles[i]);
            for (var b = 0; b < Bands; b++)
            {
                ulong key = 14695981039346656037UL;
                for (var r = 0; r < Rows; r++) key = (key ^ signature[b * Rows + r]) * 1099511628211UL;
                if (!buckets.TryGetValue((b, key), out var list)) buckets[(b, key)] = list = [];
                list.Add(i);
            }
        }
        var seen = new HashSet<(int, int)>();
        var pairs = new List<(int, int, double)>();
        foreach (var members in buckets.Values)
        {
            if (members.Count < 2) continue;
            // A bucket of hundreds (one template repeated) is compared with its first member only: it is one cluster.
            var wide = members.Count > 64;
            for (var x = 0; x < members.Count; x++)
            for (var y = x + 1; y < members.Count; y++)
            {
                if (wide && x > 0) break;
                var (a, b) = (members[x], members[y]);
                if (across is { } cut && !(a < cut && b >= cut)) continue;
                if (!seen.Add((a, b)) || normalized[a] == normalized[b]) continue;
                var similarity = Jaccard(shingles[a], shingles[b]);
                if (similarity >= Threshold) pairs.Add((a, b, similarity));
            }
        }
        return pairs.OrderBy(p => p.Item1).ThenBy(p => p.Item2).ToList();
    }

    private static HashSet<ulong> Shingles(string normalized)
    {
        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var set = new HashSet<ulong>();
        if (words.Length == 0) return set;
        if (words.Length < 3)
        {
            set.Add(Fnv(normalized));
            return set;
        }
        for (var i = 0; i + 3 <= words.Length; i++) set.Add(Fnv($"{words[i]} {words[i + 1]} {words[i + 2]}"));
        return set;
    }

    private static ulong[] Signature(HashSet<ulong> shingles)
    {
        var signature = new ulong[Hashes];
        Array.Fill(signature, ulong.MaxValue);
        foreach (var s in shingles)
            for (var h = 0; h < Hashes; h++)
            {
                var v = Mix(s ^ (0x9E3779B97F4A7C15UL * (ulong)(h + 1)));
                if (v < signature[h]) signature[h] = v;
            }
        return signature;
    }

    private static double Jaccard(HashSet<ulong> a, HashSet<ulong> b)
    {
        var inter = a.Count(b.Contains);
        return (double)inter / (a.Count + b.Count - inter);
    }

    private static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (var c in Encoding.UTF8.GetBytes(s)) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
