using Lever.Retrieval.Internal;
using System.Runtime.InteropServices;

namespace Lever.Retrieval.Search;

/// <summary>
/// An in-memory BM25 inverted index over chunks (ordinals 0..N-1). Postings hold the field-weighted term
/// frequency; collection statistics (N, df, average length) are computed per query over the chunks the caller
/// may read, so the ranking equals BM25 over the permitted subset alone: forbidden chunks neither take a top-k
/// slot nor shift the scores through idf. Term-at-a-time scoring into a dense accumulator, then a k-heap.
/// </summary>
public sealed class Bm25Index
{
    private const int FileMagic = 0x4C42_4D31; // "LBM1"

    private readonly Dictionary<string, int> _terms;
    private readonly int[] _postingStart; // term t's postings are [start[t], start[t+1])
    private readonly int[] _postingChunk;
    private readonly float[] _postingTf;
    private readonly float[] _length;
    private readonly int[] _acl;
    private readonly int _aclCount;
    private readonly int[] _aclChunks;   // chunks per ACL set
    private readonly double[] _aclLength; // total length per ACL set

    [ThreadStatic] private static float[]? t_accumulator;
    [ThreadStatic] private static List<int>? t_touched;

    private Bm25Index(Dictionary<string, int> terms, int[] postingStart, int[] postingChunk, float[] postingTf, float[] length, int[] acl, int aclCount, Bm25Parameters parameters)
    {
        _terms = terms;
        _postingStart = postingStart;
        _postingChunk = postingChunk;
        _postingTf = postingTf;
        _length = length;
        _acl = acl;
        _aclCount = aclCount;
        Parameters = parameters;
        _aclChunks = new int[aclCount];
        _aclLength = new double[aclCount];
        for (int c = 0; c < acl.Length; c++)
        {
            _aclChunks[acl[c]]++;
            _aclLength[acl[c]] += length[c];
        }
    }

    /// <summary>Number of chunks.</summary>
    public int Count => _length.Length;

    /// <summary>Number of distinct terms.</summary>
    public int TermCount => _terms.Count;

    /// <summary>Total postings (term, chunk) pairs.</summary>
    public long PostingCount => _postingChunk.LongLength;

    /// <summary>The scoring parameters.</summary>
    public Bm25Parameters Parameters { get; }

    /// <summary>Builds an index from chunks given in ordinal order.</summary>
    public static Bm25Index Build(IEnumerable<Bm25Document> chunks, Bm25Parameters? parameters = null)
    {
        parameters ??= Bm25Parameters.Default;
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        var postings = new List<List<(int Chunk, float Tf)>>();
        var lengths = new List<float>();
        var acls = new List<int>();
        int aclCount = 0;
        var local = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            int ordinal = lengths.Count;
            local.Clear();
            int bodyTerms = 0;
            TextAnalyzer.Analyze(chunk.Text, t => { bodyTerms++; Add(local, t, 1f); });
            int leaf = chunk.Heading.LastIndexOf(" > ", StringComparison.Ordinal);
            if (leaf >= 0) TextAnalyzer.Analyze(chunk.Heading.AsSpan(0, leaf), t => Add(local, t, parameters.AncestorWeight));
            TextAnalyzer.Analyze(leaf >= 0 ? chunk.Heading.AsSpan(leaf + 3) : chunk.Heading, t => Add(local, t, parameters.HeadingWeight));
            TextAnalyzer.Analyze(chunk.Title, t => Add(local, t, parameters.TitleWeight));
            foreach (var (term, tf) in local)
            {
                if (!terms.TryGetValue(term, out var id))
                {
                    id = terms.Count;
                    terms.Add(term, id);
                    postings.Add([]);
                }
                postings[id].Add((ordinal, tf));
            }
            lengths.Add(Math.Max(1, bodyTerms));
            acls.Add(chunk.AclId);
            aclCount = Math.Max(aclCount, chunk.AclId + 1);
        }
        var start = new int[terms.Count + 1];
        long total = 0;
        for (int t = 0; t < postings.Count; t++)
        {
            start[t] = checked((int)total);
            total += postings[t].Count;
        }
        start[terms.Count] = checked((int)total);
        var chunkIds = new int[total];
        var tfs = new float[total];
        for (int t = 0; t < postings.Count; t++)
        {
            int o = start[t];
            foreach (var (c, tf) in postings[t])
            {
                chunkIds[o] = c;
                tfs[o++] = tf;
            }
        }
        return new Bm25Index(terms, start, chunkIds, tfs, [.. lengths], [.. acls], aclCount, parameters);

        static void Add(Dictionary<string, float> d, string t, float w) =>
            CollectionsMarshal.GetValueRefOrAddDefault(d, t, out _) += w;
    }

    /// <summary>
    /// The best <paramref name="k"/> chunks for <paramref name="query"/> among those <paramref name="filter"/> allows
    /// (null: all), best first; ties go to the lower ordinal.
    /// </summary>
    public List<ScoredChunk> Search(string query, int k, AccessFilter? filter = null)
    {
        var queryTerms = new Dictionary<int, float>();
        var (rewritten, expansions) = Parameters.ExpandQueries ? QueryExpander.Expand(query) : (query, []);
        TextAnalyzer.Analyze(rewritten, t =>
        {
            if (_terms.TryGetValue(t, out var id)) CollectionsMarshal.GetValueRefOrAddDefault(queryTerms, id, out _) += 1f;
        });
        foreach (var t in expansions)
            if (_terms.TryGetValue(t, out var id) && !queryTerms.ContainsKey(id)) queryTerms[id] = QueryExpander.ExpansionWeight;
        if (queryTerms.Count == 0 || k <= 0) return [];
        bool all = filter is null || filter.AllowsAll;
        var allowed = filter?.Allowed;

        // Statistics of the permitted subset.
        long n = 0;
        double totalLength = 0;
        for (int a = 0; a < _aclCount; a++)
        {
            if (!all && (a >= allowed!.Length || !allowed[a])) continue;
            n += _aclChunks[a];
            totalLength += _aclLength[a];
        }
        if (n == 0) return [];
        float invAvg = (float)(n / totalLength);
        float k1 = Parameters.K1, b = Parameters.B;

        var acc = t_accumulator is { } a0 && a0.Length >= Count ? a0 : (t_accumulator = new float[Count]);
        var touched = t_touched ??= [];
        touched.Clear();
        try
        {
            foreach (var (term, queryTf) in queryTerms)
            {
                int from = _postingStart[term], to = _postingStart[term + 1];
                int df;
                if (all) df = to - from;
                else
                {
                    df = 0;
                    for (int p = from; p < to; p++) if (allowed![_acl[_postingChunk[p]]]) df++;
                }
                if (df == 0) continue;
                float idf = (float)Math.Log(1 + (n - df + 0.5) / (df + 0.5)) * queryTf;
                for (int p = from; p < to; p++)
                {
                    int c = _postingChunk[p];
                    if (!all && !allowed![_acl[c]]) continue;
                    float tf = _postingTf[p];
                    float s = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * _length[c] * invAvg));
                    if (acc[c] == 0) touched.Add(c);
                    acc[c] += s;
                }
            }
            return TopK(acc, touched, k);
        }
        finally
        {
            foreach (var c in touched) acc[c] = 0;
        }
    }

    private static List<ScoredChunk> TopK(float[] acc, List<int> touched, int k)
    {
        var heap = new PriorityQueue<int, (float Score, int NegOrdinal)>(k + 1);
        foreach (var c in touched)
        {
            var key = (acc[c], -c);
            if (heap.Count < k) heap.Enqueue(c, key);
            else if (heap.TryPeek(out _, out var worst) && Compare(key, worst) > 0)
            {
                heap.DequeueEnqueue(c, key);
            }
        }
        var result = new List<ScoredChunk>(heap.Count);
        while (heap.TryDequeue(out var c, out var key)) result.Add(new ScoredChunk(c, key.Score));
        result.Reverse();
        return result;

        static int Compare((float S, int N) x, (float S, int N) y) => x.S != y.S ? x.S.CompareTo(y.S) : x.N.CompareTo(y.N);
    }

    /// <summary>Writes the index to <paramref name="path"/> atomically (a temporary file renamed over it).</summary>
    public void Save(string path, long generation)
    {
        AtomicFile.Write(path, w =>
        {
            w.Write(FileMagic);
            w.Write(generation);
            w.Write(Parameters.K1); w.Write(Parameters.B); w.Write(Parameters.HeadingWeight); w.Write(Parameters.TitleWeight); w.Write(Parameters.AncestorWeight);
            w.Write(_aclCount);
            w.Write(Count);
            w.Write(_terms.Count);
            w.Write(_postingChunk.Length);
            var byId = new string[_terms.Count];
            foreach (var (t, id) in _terms) byId[id] = t;
            foreach (var t in byId) w.Write(t);
            w.Write(MemoryMarshal.AsBytes(_postingStart.AsSpan()));
            w.Write(MemoryMarshal.AsBytes(_postingChunk.AsSpan()));
            w.Write(MemoryMarshal.AsBytes(_postingTf.AsSpan()));
            w.Write(MemoryMarshal.AsBytes(_length.AsSpan()));
            w.Write(MemoryMarshal.AsBytes(_acl.AsSpan()));
        });
    }

    /// <summary>Loads an index saved for <paramref name="generation"/> with <paramref name="parameters"/>; null when missing, stale or damaged.</summary>
    public static Bm25Index? TryLoad(string path, long generation, Bm25Parameters parameters)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var r = new BinaryReader(stream);
            if (r.ReadInt32() != FileMagic || r.ReadInt64() != generation) return null;
            var p = new Bm25Parameters(r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), parameters.ExpandQueries);
            if (p != parameters) return null;
            int aclCount = r.ReadInt32(), count = r.ReadInt32(), termCount = r.ReadInt32(), postingCount = r.ReadInt32();
            var terms = new Dictionary<string, int>(termCount, StringComparer.Ordinal);
            for (int i = 0; i < termCount; i++) terms.Add(r.ReadString(), i);
            var start = Read<int>(r, termCount + 1);
            var chunks = Read<int>(r, postingCount);
            var tfs = Read<float>(r, postingCount);
            var length = Read<float>(r, count);
            var acl = Read<int>(r, count);
            return new Bm25Index(terms, start, chunks, tfs, length, acl, aclCount, p);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ArgumentException)
        {
            return null; // damaged: the caller rebuilds it from the store
        }
    }

    private static T[] Read<T>(BinaryReader r, int count) where T : unmanaged
    {
        var array = new T[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }
}
