// Which adapter each row of a batch uses, so one forward of the shared base serves requests for different adapters
// (vLLM's multi-LoRA batching, without its custom kernels): the base product runs once for all rows, then each
// adapter's low-rank delta is computed for its rows only and added in place (index_add_ along the batch dimension).
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>The adapters of a batch's rows: rows grouped by adapter; rows without one run the bare base.</summary>
public sealed class RowAdapters : IDisposable
{
    private readonly List<(LoraWeights Weights, Tensor? Rows)> _groups;

    private RowAdapters(List<(LoraWeights, Tensor?)> groups) => _groups = groups;

    /// <summary>Every row uses <paramref name="adapter"/> (null: no adapter at all).</summary>
    public static RowAdapters? All(LoraWeights? adapter) => adapter is null ? null : new RowAdapters([(adapter, null)]);

    /// <summary>Row r uses <paramref name="adapters"/>[r] (null: the bare base); null when no row has one.</summary>
    public static RowAdapters? PerRow(IReadOnlyList<LoraWeights?> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        if (adapters.All(a => a is null)) return null;
        if (adapters.All(a => ReferenceEquals(a, adapters[0]))) return All(adapters[0]);
        var groups = new List<(LoraWeights, Tensor?)>();
        foreach (var adapter in adapters.OfType<LoraWeights>().Distinct(ReferenceEqualityComparer.Instance).Cast<LoraWeights>())
        {
            var rows = Enumerable.Range(0, adapters.Count).Where(r => ReferenceEquals(adapters[r], adapter)).Select(r => (long)r).ToArray();
            groups.Add((adapter, tensor(rows).DetachFromDisposeScope()));
        }
        return new RowAdapters(groups);
    }

    /// <summary>
    /// Adds every group's delta for projection <paramref name="kind"/> of <paramref name="layer"/> to the columns
    /// [<paramref name="offset"/>, offset + width) of <paramref name="output"/> (B, T, ·), from the projection's input <paramref name="x"/> (B, T, in).
    /// </summary>
    internal void Add(Tensor output, Tensor x, int layer, string kind, long offset, long width)
    {
        foreach (var (weights, rows) in _groups)
        {
            if (weights.Factor(layer, kind) is not { } f) continue;
            var xs = rows is null ? x : x.index_select(0, rows);
            var delta = xs.matmul(f.AT).matmul(f.BT);                              // (Bg, T, width)
            var target = output.narrow(-1, offset, width);
            if (rows is null) target.add_(delta);
            else target.index_add_(0, rows, delta, 1);
        }
    }

    /// <summary>Frees the row index tensors (not the adapters).</summary>
    public void Dispose()
    {
        foreach (var (_, rows) in _groups) rows?.Dispose();
    }
}
