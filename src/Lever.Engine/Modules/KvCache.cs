// Per-layer key/value cache for incremental decoding: keys and values of past positions are kept so each new token
// costs one row of attention instead of a full re-run. Buffers are preallocated and grow by doubling, so a decode
// step writes in place instead of concatenating (which would copy the whole cache every token).
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>Keys and values of all layers for a batch of sequences, (B, n_kv, capacity, head_dim) per layer.</summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _k;
    private readonly Tensor?[] _v;
    private readonly LlamaConfig _config;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private int _capacity;

    /// <summary>Creates an empty cache for <paramref name="batch"/> sequences.</summary>
    public KvCache(LlamaConfig config, int batch, int initialCapacity = 64, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        _config = config;
        Batch = batch;
        _device = device ?? CPU;
        _dtype = dtype;
        _capacity = Math.Max(1, initialCapacity);
        _k = new Tensor?[config.NumHiddenLayers];
        _v = new Tensor?[config.NumHiddenLayers];
    }

    /// <summary>Number of sequences.</summary>
    public int Batch { get; }

    /// <summary>Positions already cached (the same for every sequence; left padding keeps rows aligned).</summary>
    public int Length { get; private set; }

    /// <summary>Bytes held by the buffers.</summary>
    public long Bytes => _k.Concat(_v).Where(t => t is not null).Sum(t => t!.NumberOfElements * t.ElementSize);

    /// <summary>
    /// Stores <paramref name="k"/>, <paramref name="v"/> (B, n_kv, T, hd) of <paramref name="layer"/> after the cached
    /// positions and returns views of all keys and values so far (B, n_kv, Length + T, hd).
    /// </summary>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor k, Tensor v)
    {
        var t = (int)k.shape[2];
        var needed = Length + t;
        if (needed > _capacity || _k[layer] is null) Grow(layer, needed);
        _k[layer]!.narrow(2, Length, t).copy_(k);
        _v[layer]!.narrow(2, Length, t).copy_(v);
        return (_k[layer]!.narrow(2, 0, needed), _v[layer]!.narrow(2, 0, needed));
    }

    /// <summary>Marks <paramref name="tokens"/> more positions as cached; the model calls it after its last layer.</summary>
    public void Advance(int tokens) => Length += tokens;

    /// <summary>Forgets positions from <paramref name="length"/> on (the buffers are kept).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>A copy of the first <paramref name="length"/> positions, with room for <paramref name="extra"/> more.</summary>
    public KvCache Clone(int? length = null, int extra = 64)
    {
        var n = length ?? Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, Length);
        var copy = new KvCache(_config, Batch, n + extra, _device, _dtype);
        using (NewDisposeScope())
        {
            for (var l = 0; l < _k.Length; l++)
            {
                if (_k[l] is null) continue;
                copy.Grow(l, n + extra);
                copy._k[l]!.narrow(2, 0, n).copy_(_k[l]!.narrow(2, 0, n));
                copy._v[l]!.narrow(2, 0, n).copy_(_v[l]!.narrow(2, 0, n));
            }
        }
        copy.Length = n;
        return copy;
    }

    private void Grow(int layer, int needed)
    {
        var capacity = _capacity;
        while (capacity < needed) capacity *= 2;
        if (capacity != _capacity)
        {
            // Every layer grows together so capacity stays one number.
            for (var l = 0; l < _k.Length; l++)
            {
                if (_k[l] is not null) (_k[l], _v[l]) = (Resize(_k[l]!, capacity), Resize(_v[l]!, capacity));
            }
            _capacity = capacity;
        }
        if (_k[layer] is null)
        {
            _k[layer] = NewBuffer(_capacity);
            _v[layer] = NewBuffer(_capacity);
        }
    }

    private Tensor NewBuffer(int capacity) =>
        zeros([Batch, _config.KeyValueHeads, capacity, _config.HeadDim], _dtype, _device).DetachFromDisposeScope();

    private Tensor Resize(Tensor old, int capacity)
    {
        var fresh = NewBuffer(capacity);
        using (NewDisposeScope()) fresh.narrow(2, 0, Length).copy_(old.narrow(2, 0, Length));
        old.Dispose();
        return fresh;
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        for (var l = 0; l < _k.Length; l++)
        {
            _k[l]?.Dispose();
            _v[l]?.Dispose();
            _k[l] = _v[l] = null;
        }
    }
}
