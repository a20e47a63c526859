// Byte-level BPE training (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with Subword Units";
// byte-level alphabet of GPT-2, Radford et al. 2019). Like minbpe's RegexTokenizer: split text with a regex,
// count words, then repeatedly merge the most frequent adjacent pair. Pair counts are updated incrementally
// (only words containing the merged pair are touched), so training on megabytes takes seconds.
using System.Text;
using System.Text.RegularExpressions;
using Lever.Core;

namespace Lever.Engine.Tokenizers;

/// <summary>Trains a byte-level BPE vocabulary that Microsoft.ML.Tokenizers loads from the tokenizer.json it writes.</summary>
public static class BpeTrainer
{
    /// <summary>Special tokens of Lever's own tokenizers: end of text (also BOS/pad) and ChatML's turn markers.</summary>
    public static readonly IReadOnlyList<string> DefaultSpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

    /// <summary>
    /// Learns merges from <paramref name="texts"/> until the vocabulary has <paramref name="vocabSize"/> tokens
    /// (special tokens first, then the 256 bytes, then merges; reserved tokens fill the rest when the corpus runs out
    /// of pairs). <paramref name="progress"/> receives (merges done, merges wanted).
    /// </summary>
    public static TrainedBpe Train(IEnumerable<string> texts, int vocabSize, IReadOnlyList<string>? specialTokens = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var specials = specialTokens ?? DefaultSpecialTokens;
        var baseSize = specials.Count + 256;
        if (vocabSize < baseSize)
            throw new LeverUserException($"--vocab {vocabSize} is too small: {specials.Count} special tokens + 256 bytes need at least {baseSize}", $"use --vocab {baseSize} or more (a few thousand is typical)");

        // 1) words and their counts; special tokens in the corpus are not split into bytes.
        var split = new Regex(ModelTokenizer.Llama3Pattern, RegexOptions.Compiled);
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var chunk in SplitSpecials(text, specials))
            {
                if (chunk.IsSpecial) continue;
                foreach (Match m in split.Matches(chunk.Text))
                    wordCounts[m.Value] = wordCounts.GetValueOrDefault(m.Value) + 1;
            }
        }

        // 2) each word as a list of token ids (byte b has id specials + b).
        var words = new List<List<int>>(wordCounts.Count);
        var freq = new List<long>(wordCounts.Count);
        foreach (var (word, count) in wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            words.Add(Encoding.UTF8.GetBytes(word).Select(b => specials.Count + b).ToList());
            freq.Add(count);
        }

        // 3) pair counts, where each pair occurs, and a max-heap with lazy deletion.
        var pairCounts = new Dictionary<(int, int), long>();
        var where = new Dictionary<(int, int), HashSet<int>>();
        var heap = new PriorityQueue<(int A, int B), (long Count, int A, int B)>(Comparer<(long Count, int A, int B)>.Create((x, y) =>
            x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B)));
        void Add((int, int) pair, long delta, int word)
        {
            var c = pairCounts.GetValueOrDefault(pair) + delta;
            pairCounts[pair] = c;
            if (delta > 0)
            {
                if (!where.TryGetValue(pair, out var set)) where[pair] = set = [];
                set.Add(word);
                heap.Enqueue(pair, (c, pair.Item1, pair.Item2));
            }
        }
        for (var w = 0; w < words.Count; w++)
            for (var i = 0; i + 1 < words[w].Count; i++) Add((words[w][i], words[w][i + 1]), freq[w], w);

        // 4) merge the most frequent pair until the vocabulary is full or no pair occurs twice.
        var tokenBytes = new List<byte[]>(vocabSize);
        for (var b = 0; b < 256; b++) tokenBytes.Add([(byte)b]);
        var merges = new List<(int A, int B)>();
        var wanted = vocabSize - baseSize;
        while (merges.Count < wanted && heap.TryDequeue(out var best, out var priority))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pairCounts.GetValueOrDefault(best) != priority.Count) continue;   // stale entry
            if (priority.Count < 2) break;                                      // a merge seen once compresses nothing
            var id = baseSize + merges.Count;
            merges.Add(best);
            tokenBytes.Add([.. tokenBytes[best.A - specials.Count], .. tokenBytes[best.B - specials.Count]]);
            foreach (var w in where[best].ToList())
            {
                var old = words[w];
                var merged = new List<int>(old.Count);
                for (var i = 0; i < old.Count; i++)
                {
                    if (i + 1 < old.Count && old[i] == best.A && old[i + 1] == best.B) { merged.Add(id); i++; }
                    else merged.Add(old[i]);
                }
                if (merged.Count == old.Count) continue;
                for (var i = 0; i + 1 < old.Count; i++) Add((old[i], old[i + 1]), -freq[w], w);
                for (var i = 0; i + 1 < merged.Count; i++) Add((merged[i], merged[i + 1]), freq[w], w);
                words[w] = merged;
            }
            where.Remove(best);
            if (merges.Count % 100 == 0) progress?.Report((merges.Count, wanted));
        }
        progress?.Report((merges.Count, wanted));
        return new TrainedBpe(specials, tokenBytes, merges.Select(m => (m.A - specials.Count, m.B - specials.Count)).ToList(), vocabSize);
    }

    /// <summary>Splits text into runs of ordinary text and whole special tokens.</summary>
    internal static IEnumerable<(string Text, bool IsSpecial)> SplitSpecials(string text, IReadOnlyList<string> specials)
    {
        var start = 0;
        while (start < text.Length)
        {
            var next = -1;
            string? which = null;
            foreach (var s in specials)
            {
                var at = text.IndexOf(s, start, StringComparison.Ordinal);
                if (at >= 0 && (next < 0 || at < next || (at == next && s.Length > which!.Length))) { next = at; which = s; }
            }
            if (next < 0) { yield return (text[start..], false); yield break; }
            if (next > start) yield return (text[start..next], false);
            yield return (which!, true);
            start = next + which!.Length;
        }
    }
}
