using Lever.Retrieval.Internal;
using Lever.Retrieval.Search;

namespace Lever.Retrieval.Vectors;

/// <summary>
/// Hierarchical Navigable Small World graph for approximate nearest neighbours (Malkov and Yashunin,
/// "Efficient and robust approximate nearest neighbor search using HNSW graphs", TPAMI 2018): greedy descent
/// through sparse upper layers, then a best-first search with a candidate list of size ef on layer 0; neighbours
/// chosen by the paper's heuristic (Algorithm 4), which keeps links pointing in diverse directions. Distance is
/// 1 - cosine on unit vectors. A filter is applied inside the layer-0 search (the graph is walked through any
/// node, but only allowed nodes enter the result list), so filtered top-k are not taken from an unfiltered top-k.
/// </summary>
public sealed class HnswIndex : IVectorIndex
{
    private const int FileMagic = 0x4C48_4E31; // "LHN1"
    private readonly float[] _data;
    private readonly int[] _levels;
    private readonly int[][][] _links; // [node][layer] -> neighbour ids (array with a count in slot 0)
    private int _entry = -1;
    private int _maxLevel = -1;
    private readonly Random _random;
    private readonly double _levelMultiplier;

    [ThreadStatic] private static int[]? t_visited;
    [ThreadStatic] private static int t_visitMark;

    private HnswIndex(int capacity, int dimensions, HnswOptions options)
    {
        Dimensions = dimensions;
        Options = options;
        _data = new float[(long)capacity * dimensions];
        _levels = new int[capacity];
        _links = new int[capacity][][];
        _random = new Random(options.Seed);
        _levelMultiplier = 1 / Math.Log(Math.Max(2, options.M));
    }

    /// <inheritdoc />
    public int Count { get; private set; }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <summary>The settings it was built with.</summary>
    public HnswOptions Options { get; }

    /// <summary>Builds the graph over <paramref name="vectors"/>, inserted in order (node id = position).</summary>
    public static HnswIndex Build(IReadOnlyList<float[]> vectors, int dimensions, HnswOptions? options = null, IProgress<int>? progress = null)
    {
        var index = new HnswIndex(vectors.Count, dimensions, options ?? new HnswOptions());
        for (int i = 0; i < vectors.Count; i++)
        {
            index.Insert(vectors[i]);
            if ((i & 1023) == 1023) progress?.Report(i + 1);
        }
        return index;
    }

    private Span<float> Row(int node) => _data.AsSpan(node * Dimensions, Dimensions);

    private float Distance(ReadOnlySpan<float> q, int node)
    {
        DistanceCount++;
        return 1f - VectorMath.Dot(q, _data.AsSpan(node * Dimensions, Dimensions));
    }

    /// <summary>Distances computed so far (a machine-independent measure of search cost; not thread-safe).</summary>
    internal long DistanceCount { get; set; }

    private int MaxLinks(int layer) => layer == 0 ? 2 * Options.M : Options.M;

    private void Insert(float[] vector)
    {
        int node = Count++;
        var q = Row(node);
        vector.AsSpan(0, Dimensions).CopyTo(q);
        VectorMath.Normalize(q);
        int level = (int)Math.Floor(-Math.Log(1 - _random.NextDouble()) * _levelMultiplier);
        _levels[node] = level;
        _links[node] = new int[level + 1][];
        for (int l = 0; l <= level; l++) _links[node][l] = new int[MaxLinks(l) + 1];
        if (_entry < 0)
        {
            _entry = node;
            _maxLevel = level;
            return;
        }
        // 1) greedy descent through the layers above the node's own
        int ep = _entry;
        for (int l = _maxLevel; l > level; l--) ep = Greedy(q, ep, l);
        // 2) on each of the node's layers: find ef candidates, link to the heuristic's pick, both ways
        var entries = new List<(float Dist, int Node)> { (Distance(q, ep), ep) };
        for (int l = Math.Min(level, _maxLevel); l >= 0; l--)
        {
            var found = SearchLayer(q, entries, Options.EfConstruction, l, null);
            var chosen = SelectNeighbours(found, Options.M);
            foreach (var (_, n) in chosen)
            {
                AddLink(node, n, l);
                AddLink(n, node, l);
            }
            entries = found;
        }
        if (level > _maxLevel)
        {
            _maxLevel = level;
            _entry = node;
        }
    }

    private void AddLink(int from, int to, int layer)
    {
        var links = _links[from][layer];
        int count = links[0], max = MaxLinks(layer);
        if (count < max)
        {
            links[count + 1] = to;
            links[0] = count + 1;
            return;
        }
        // Full: re-select among the old links plus the new one with the heuristic, from `from`'s point of view.
        var q = Row(from);
        var candidates = new List<(float, int)>(count + 1) { (Distance(q, to), to) };
        for (int i = 1; i <= count; i++) candidates.Add((Distance(q, links[i]), links[i]));
        candidates.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        var kept = SelectNeighbours(candidates, max);
        links[0] = kept.Count;
        for (int i = 0; i < kept.Count; i++) links[i + 1] = kept[i].Node;
    }

    /// <summary>Algorithm 4: take candidates nearest first; keep one only if it is nearer to the base than to every one kept.</summary>
    private List<(float Dist, int Node)> SelectNeighbours(List<(float Dist, int Node)> sortedCandidates, int m)
    {
        var kept = new List<(float, int)>(m);
        foreach (var (d, c) in sortedCandidates)
        {
            if (kept.Count >= m) break;
            var cv = _data.AsSpan(c * Dimensions, Dimensions);
            bool good = true;
            foreach (var (_, k) in kept)
            {
                if (Distance(cv, k) < d) { good = false; break; }
            }
            if (good) kept.Add((d, c));
        }
        return kept;
    }

    private int Greedy(ReadOnlySpan<float> q, int ep, int layer)
    {
        float best = Distance(q, ep);
        bool improved = true;
        while (improved)
        {
            improved = false;
            var links = _links[ep][layer];
            for (int i = 1; i <= links[0]; i++)
            {
                float d = Distance(q, links[i]);
                if (d < best) { best = d; ep = links[i]; improved = true; }
            }
        }
        return ep;
    }

    /// <summary>Best-first search on one layer; returns up to ef (allowed) nodes sorted nearest first.</summary>
    private List<(float Dist, int Node)> SearchLayer(ReadOnlySpan<float> q, List<(float Dist, int Node)> entries, int ef, int layer, Func<int, bool>? allow)
    {
        var visited = t_visited is { } v && v.Length >= _levels.Length ? v : (t_visited = new int[_levels.Length]);
        int mark = ++t_visitMark;
        if (mark == int.MaxValue) { Array.Clear(visited); t_visitMark = mark = 1; }
        var candidates = new PriorityQueue<int, float>();  // nearest first
        var results = new PriorityQueue<int, float>();     // keyed by -distance: farthest first, no comparer delegate
        foreach (var (d, n) in entries)
        {
            visited[n] = mark;
            candidates.Enqueue(n, d);
            if (allow is null || allow(n)) results.Enqueue(n, -d);
        }
        while (results.Count > ef) results.Dequeue();
        while (candidates.TryDequeue(out var c, out var cd))
        {
            if (results.Count >= ef && results.TryPeek(out _, out var worst) && cd > -worst) break;
            var links = _links[c][layer];
            // Vectors sit at random places in a large array: ask for the unvisited neighbours' first cache lines
            // before computing any distance, so the loads overlap instead of stalling one after another.
            Prefetch(links, visited, mark);
            for (int i = 1; i <= links[0]; i++)
            {
                int n = links[i];
                if (visited[n] == mark) continue;
                visited[n] = mark;
                float d = Distance(q, n);
                if (results.Count >= ef && results.TryPeek(out _, out var w) && d >= -w) continue;
                candidates.Enqueue(n, d);
                if (allow is not null && !allow(n)) continue;
                results.Enqueue(n, -d);
                if (results.Count > ef) results.Dequeue();
            }
        }
        var list = new List<(float, int)>(results.Count);
        while (results.TryDequeue(out var n, out var negD)) list.Add((-negD, n));
        list.Reverse();
        return list;
    }

    private unsafe void Prefetch(int[] links, int[] visited, int mark)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        fixed (float* data = _data)
        {
            for (int i = 1; i <= links[0]; i++)
            {
                int n = links[i];
                if (visited[n] != mark) System.Runtime.Intrinsics.X86.Sse.Prefetch0(data + (long)n * Dimensions);
            }
        }
    }

    /// <inheritdoc />
    public List<ScoredChunk> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? allow = null) => Search(query, k, Options.EfSearch, allow);

    /// <summary>Search with an explicit ef (the recall/speed trade-off).</summary>
    public List<ScoredChunk> Search(ReadOnlySpan<float> query, int k, int ef, Func<int, bool>? allow)
    {
        if (Count == 0 || k <= 0) return [];
        var q = query[..Dimensions].ToArray();
        VectorMath.Normalize(q);
        int ep = _entry;
        for (int l = _maxLevel; l > 0; l--) ep = Greedy(q, ep, l);
        var found = SearchLayer(q, [(Distance(q, ep), ep)], Math.Max(ef, k), 0, allow);
        return found.Take(k).Select(f => new ScoredChunk(f.Node, 1f - f.Dist)).ToList();
    }

    /// <summary>Writes the graph atomically.</summary>
    public void Save(string path, long generation)
    {
        AtomicFile.Write(path, w =>
        {
            w.Write(FileMagic);
            w.Write(generation);
            w.Write(Options.M); w.Write(Options.EfConstruction); w.Write(Options.EfSearch); w.Write(Options.Seed);
            w.Write(Count); w.Write(Dimensions); w.Write(_entry); w.Write(_maxLevel);
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_data.AsSpan(0, Count * Dimensions)));
            for (int n = 0; n < Count; n++)
            {
                w.Write(_levels[n]);
                for (int l = 0; l <= _levels[n]; l++)
                {
                    var links = _links[n][l];
                    w.Write(links[0]);
                    for (int i = 1; i <= links[0]; i++) w.Write(links[i]);
                }
            }
        });
    }

    /// <summary>Loads a graph saved for <paramref name="generation"/>; null when missing, stale or damaged.</summary>
    public static HnswIndex? TryLoad(string path, long generation)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var r = new BinaryReader(stream);
            if (r.ReadInt32() != FileMagic || r.ReadInt64() != generation) return null;
            var options = new HnswOptions(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            int count = r.ReadInt32(), dims = r.ReadInt32();
            var index = new HnswIndex(count, dims, options) { _entry = r.ReadInt32(), _maxLevel = r.ReadInt32(), Count = count };
            stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(index._data.AsSpan()));
            for (int n = 0; n < count; n++)
            {
                int level = r.ReadInt32();
                index._levels[n] = level;
                index._links[n] = new int[level + 1][];
                for (int l = 0; l <= level; l++)
                {
                    var links = new int[index.MaxLinks(l) + 1];
                    links[0] = r.ReadInt32();
                    for (int i = 1; i <= links[0]; i++) links[i] = r.ReadInt32();
                    index._links[n][l] = links;
                }
            }
            return index;
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
