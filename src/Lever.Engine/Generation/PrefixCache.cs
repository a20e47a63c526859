// Prefix caching (as in vLLM's automatic prefix caching and llama.cpp's prompt cache): keys and values depend only
// on the tokens up to their position, so a new prompt sharing its first n tokens with a recent one can start from
// that one's KV and compute only the rest. Entries are whole prompts; a lookup takes the longest common prefix with
// any entry. Least recently used entries are evicted to stay within a byte budget.
using Lever.Engine.Modules;

namespace Lever.Engine.Generation;

/// <summary>Recently computed prompt KV caches, keyed by their tokens, evicted LRU within a memory budget.</summary>
public sealed class PrefixCache : IDisposable
{
    private readonly LinkedList<Entry> _lru = new();   // first = most recently used
    private readonly object _lock = new();

    /// <summary>Creates a cache holding at most <paramref name="budgetBytes"/> of keys and values.</summary>
    public PrefixCache(long budgetBytes = 256L << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        BudgetBytes = budgetBytes;
    }

    /// <summary>Memory budget.</summary>
    public long BudgetBytes { get; }

    /// <summary>Bytes held now.</summary>
    public long Bytes { get; private set; }

    /// <summary>Number of cached prompts.</summary>
    public int Count => _lru.Count;

    /// <summary>Lookups that reused at least one token.</summary>
    public long Hits { get; private set; }

    /// <summary>Lookups that found nothing to reuse.</summary>
    public long Misses { get; private set; }

    /// <summary>
    /// A new KV cache holding the longest cached prefix of <paramref name="tokens"/> (at most all but the last token,
    /// which must be run to get logits), with room for <paramref name="extra"/> more positions; null when nothing matches.
    /// Only entries stored with the same <paramref name="owner"/> match (KV computed under one LoRA adapter is not another's).
    /// </summary>
    public KvCache? Acquire(IReadOnlyList<int> tokens, int extra, object? owner = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        lock (_lock)
        {
            LinkedListNode<Entry>? best = null;
            var bestLength = 0;
            for (var node = _lru.First; node is not null; node = node.Next)
            {
                if (!ReferenceEquals(node.Value.Owner, owner)) continue;
                var n = CommonPrefix(node.Value.Tokens, tokens);
                if (n > bestLength) { best = node; bestLength = n; }
            }
            bestLength = Math.Min(bestLength, tokens.Count - 1);
            if (best is null || bestLength <= 0)
            {
                Misses++;
                return null;
            }
            Hits++;
            _lru.Remove(best);
            _lru.AddFirst(best);
            return best.Value.Cache.Clone(bestLength, extra);
        }
    }

    /// <summary>Remembers the KV of <paramref name="tokens"/> (the first tokens.Count positions of <paramref name="cache"/>), computed under <paramref name="owner"/>'s weights (null: the base).</summary>
    public void Store(IReadOnlyList<int> tokens, KvCache cache, object? owner = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(cache);
        if (tokens.Count < 2 || cache.Batch != 1) return;
        lock (_lock)
        {
            // Already covered by an entry that extends it: refresh that one instead of storing a duplicate.
            for (var node = _lru.First; node is not null; node = node.Next)
            {
                if (ReferenceEquals(node.Value.Owner, owner) && CommonPrefix(node.Value.Tokens, tokens) == tokens.Count)
                {
                    _lru.Remove(node);
                    _lru.AddFirst(node);
                    return;
                }
            }
            var snapshot = cache.Clone(tokens.Count, extra: 0);
            if (snapshot.Bytes > BudgetBytes) { snapshot.Dispose(); return; }
            _lru.AddFirst(new Entry(tokens.ToArray(), snapshot, owner));
            Bytes += snapshot.Bytes;
            while (Bytes > BudgetBytes && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                Bytes -= last.Value.Cache.Bytes;
                last.Value.Cache.Dispose();
            }
        }
    }

    /// <summary>Drops every entry.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var e in _lru) e.Cache.Dispose();
            _lru.Clear();
            Bytes = 0;
        }
    }

    private static int CommonPrefix(int[] a, IReadOnlyList<int> b)
    {
        var n = Math.Min(a.Length, b.Count);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    /// <summary>Frees all entries.</summary>
    public void Dispose() => Clear();

    /// <summary>Drops the entries stored under <paramref name="owner"/> (an adapter being unloaded).</summary>
    public void Remove(object owner)
    {
        lock (_lock)
        {
            for (var node = _lru.First; node is not null;)
            {
                var next = node.Next;
                if (ReferenceEquals(node.Value.Owner, owner))
                {
                    _lru.Remove(node);
                    Bytes -= node.Value.Cache.Bytes;
                    node.Value.Cache.Dispose();
                }
                node = next;
            }
        }
    }

    private sealed record Entry(int[] Tokens, KvCache Cache, object? Owner);
}
