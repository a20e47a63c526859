// Which adapter each row of a batch uses, so one forward of the shared base serves requests for different adapters
// (vLLM's multi-LoRA batching, without its custom kernels). The base product runs once for all rows. When every row
// shares one adapter its delta is two plain matmuls; when rows mix adapters (or some have none), each projection's
// factors are gathered per row once per batch — Aᵀ as (B, in, r) and (scaling·B)ᵀ as (B, r, out), zero-padded to the
// largest rank, zero for rows without that projection — and the delta is two batched products (bmm) for all rows,
// so the cost per decode step does not grow with the number of adapters a batch mixes (the earlier way, an
// index_select, two matmuls and an index_add_ per adapter per projection, lost to one-at-a-time serving).
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>The adapters of a batch's rows; rows without one run the bare base.</summary>
public sealed class RowAdapters : IDisposable
{
    private readonly LoraWeights? _shared;
    private readonly IReadOnlyList<LoraWeights?> _rows;
    private readonly Dictionary<(int Layer, string Kind), (Tensor AT, Tensor BT)?> _gathered = [];

    private RowAdapters(LoraWeights? shared, IReadOnlyList<LoraWeights?> rows) => (_shared, _rows) = (shared, rows);

    /// <summary>Every row uses <paramref name="adapter"/> (null: no adapter at all).</summary>
    public static RowAdapters? All(LoraWeights? adapter) => adapter is null ? null : new RowAdapters(adapter, []);

    /// <summary>Row r uses <paramref name="adapters"/>[r] (null: the bare base); null when no row has one.</summary>
    public static RowAdapters? PerRow(IReadOnlyList<LoraWeights?> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        if (adapters.All(a => a is null)) return null;
        if (adapters.All(a => ReferenceEquals(a, adapters[0]))) return All(adapters[0]);
        return new RowAdapters(null, [.. adapters]);
    }

    /// <summary>
    /// Adds the delta of projection <paramref name="kind"/> of <paramref name="layer"/> to the columns
    /// [<paramref name="offset"/>, offset + width) of <paramref name="output"/> (B, T, ·), from the projection's input <paramref name="x"/> (B, T, in).
    /// </summary>
    internal void Add(Tensor output, Tensor x, int layer, string kind, long offset, long width)
    {
        var target = output.narrow(-1, offset, width);
        if (_shared is not null)
        {
            if (_shared.Factor(layer, kind) is { } f) target.add_(x.matmul(f.AT).matmul(f.BT));
            return;
        }
        if (Gathered(layer, kind, x.shape[^1], width) is not { } g) return;
        target.add_(x.bmm(g.AT).bmm(g.BT));                                        // (B, T, in)·(B, in, r)·(B, r, width)
    }

    /// <summary>The per-row factors of one projection, built at its first use in this batch; null when no row's adapter has it.</summary>
    private (Tensor AT, Tensor BT)? Gathered(int layer, string kind, long inputs, long outputs)
    {
        if (_gathered.TryGetValue((layer, kind), out var cached)) return cached;
        var factors = _rows.Select(a => a?.Factor(layer, kind)).ToList();
        (Tensor, Tensor)? built = null;
        if (factors.Any(f => f is not null))
        {
            var rank = factors.OfType<LoraFactor>().Max(f => f.AT.shape[1]);
            var first = factors.OfType<LoraFactor>().First().AT;
            var at = zeros([_rows.Count, inputs, rank], first.dtype, first.device);
            var bt = zeros([_rows.Count, rank, outputs], first.dtype, first.device);
            for (var r = 0; r < factors.Count; r++)
            {
                if (factors[r] is not { } f) continue;
                var fr = f.AT.shape[1];
                at[r].narrow(1, 0, fr).copy_(f.AT);
                bt[r].narrow(0, 0, fr).copy_(f.BT);
            }
            built = (at.DetachFromDisposeScope(), bt.DetachFromDisposeScope());
        }
        _gathered[(layer, kind)] = built;
        return built;
    }

    /// <summary>Frees the gathered per-row factors (not the adapters).</summary>
    public void Dispose()
    {
        foreach (var g in _gathered.Values)
            if (g is { } t)
            {
                t.AT.Dispose();
                t.BT.Dispose();
            }
        _gathered.Clear();
    }
}
