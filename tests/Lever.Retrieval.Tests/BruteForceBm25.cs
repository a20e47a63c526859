using Lever.Retrieval.Search;

namespace Lever.Retrieval.Tests;

/// <summary>
/// The reference: BM25 computed from scratch, in doubles, over only the chunks a caller may read, scanning every
/// chunk for every query. No postings, no accumulators, no shared state with Bm25Index beyond the analyzer.
/// </summary>
internal static class BruteForceBm25
{
    public sealed record Chunk(string Text, string Heading, string Title, IReadOnlyList<string> Principals);

    public static List<(int Ordinal, double Score)> Search(IReadOnlyList<Chunk> chunks, string query, int k, Caller caller, Bm25Parameters p)
    {
        var permitted = Enumerable.Range(0, chunks.Count).Where(i => chunks[i].Principals.Any(caller.Principals.Contains)).ToList();
        if (permitted.Count == 0) return [];
        var tfs = new Dictionary<int, Dictionary<string, double>>();
        var lengths = new Dictionary<int, double>();
        foreach (var i in permitted)
        {
            var tf = new Dictionary<string, double>();
            var body = TextAnalyzer.Terms(chunks[i].Text);
            foreach (var t in body) tf[t] = tf.GetValueOrDefault(t) + 1;
            var headings = chunks[i].Heading.Split(" > ");
            for (int h = 0; h < headings.Length; h++)
                foreach (var t in TextAnalyzer.Terms(headings[h])) tf[t] = tf.GetValueOrDefault(t) + (h == headings.Length - 1 ? p.HeadingWeight : p.AncestorWeight);
            foreach (var t in TextAnalyzer.Terms(chunks[i].Title)) tf[t] = tf.GetValueOrDefault(t) + p.TitleWeight;
            tfs[i] = tf;
            lengths[i] = Math.Max(1, body.Count);
        }
        double n = permitted.Count, avg = lengths.Values.Average();
        var queryTerms = TextAnalyzer.Terms(query).GroupBy(t => t).ToDictionary(g => g.Key, g => (double)g.Count());
        var scores = new List<(int, double)>();
        foreach (var i in permitted)
        {
            double s = 0;
            bool any = false;
            foreach (var (term, qtf) in queryTerms)
            {
                int df = permitted.Count(j => tfs[j].ContainsKey(term));
                if (df == 0 || !tfs[i].TryGetValue(term, out var tf)) continue;
                any = true;
                double idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
                s += qtf * idf * tf * (p.K1 + 1) / (tf + p.K1 * (1 - p.B + p.B * lengths[i] / avg));
            }
            if (any) scores.Add((i, s));
        }
        return scores.OrderByDescending(x => x.Item2).ThenBy(x => x.Item1).Take(k).ToList();
    }
}
