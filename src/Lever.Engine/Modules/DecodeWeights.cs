// Derived weights for fast incremental decoding. A batch-1 decode step is a chain of matrix-vector products, and
// libtorch's CPU GEMV is much faster on x · Wᵀ with Wᵀ stored contiguously (in, out) than on linear(x, W) with HF's
// (out, in) layout: measured 2.4-4.7 ms vs 1.4 ms for the 16,384 × 512 lm_head of `small` (docs/PERFORMANCE.md, Engine).
// q/k/v and gate/up are also fused into one product each, so x is read once and there are fewer kernel calls.
// The parameters keep their HF names and layout; this is a snapshot taken from them, valid until they change.
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>
/// Transposed, fused copies of a model's projection weights for generation (one more copy of the weights in memory).
/// A snapshot: rebuild it after the model's weights change (training, loading, adapters).
/// </summary>
public sealed class DecodeWeights : IDisposable
{
    private readonly Tensor[] _tensors;

    private DecodeWeights(LayerDecodeWeights[] layers, Tensor lmHeadT, Tensor[] tensors)
    {
        Layers = layers;
        LmHeadT = lmHeadT;
        _tensors = tensors;
    }

    /// <summary>Per decoder layer, in order.</summary>
    public IReadOnlyList<LayerDecodeWeights> Layers { get; }

    /// <summary>lm_head weight transposed, (C, vocab), contiguous.</summary>
    public Tensor LmHeadT { get; }

    /// <summary>
    /// Builds the snapshot for <paramref name="model"/>, or returns null when a projection is not a plain linear layer
    /// (LoRA, quantized): those keep their own forward.
    /// </summary>
    public static DecodeWeights? TryBuild(LlamaForCausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Tensor? lmWeight = model.LmHead switch
        {
            Internal.TiedLinear tied => tied.Weight,
            Linear { bias: null } plain => plain.weight,
            _ => null,
        };
        if (lmWeight is null) return null;
        foreach (var layer in model.Model.Layers)
        {
            var a = layer.SelfAttn;
            var m = layer.Mlp;
            if (a.QProj is not Linear || a.KProj is not Linear || a.VProj is not Linear || a.OProj is not Linear
                || m.GateProj is not Linear { bias: null } || m.UpProj is not Linear { bias: null } || m.DownProj is not Linear { bias: null })
                return null;
        }

        using var noGrad = no_grad();
        var owned = new List<Tensor>();
        Tensor Keep(Tensor t)
        {
            var kept = t.detach().contiguous().clone().DetachFromDisposeScope();
            owned.Add(kept);
            return kept;
        }
        using var scope = NewDisposeScope();
        var layers = new List<LayerDecodeWeights>();
        foreach (var layer in model.Model.Layers)
        {
            var a = layer.SelfAttn;
            var m = layer.Mlp;
            var (q, k, v, o) = ((Linear)a.QProj, (Linear)a.KProj, (Linear)a.VProj, (Linear)a.OProj);
            var qkvT = Keep(cat([q.weight!, k.weight!, v.weight!], 0).t());                         // (C, nh·hd + 2·nkv·hd)
            var qkvBias = q.bias is null ? null : Keep(cat([q.bias, k.bias!, v.bias!], 0));
            var oT = Keep(o.weight!.t());                                                             // (nh·hd, C)
            var oBias = o.bias is null ? null : Keep(o.bias);
            var gateUpT = Keep(cat([((Linear)m.GateProj).weight!, ((Linear)m.UpProj).weight!], 0).t());   // (C, 2·I)
            var downT = Keep(((Linear)m.DownProj).weight!.t());                                        // (I, C)
            layers.Add(new LayerDecodeWeights(qkvT, qkvBias, oT, oBias, gateUpT, downT));
        }
        var lmHeadT = Keep(lmWeight.t());                                                             // (C, vocab)
        return new DecodeWeights([.. layers], lmHeadT, [.. owned]);
    }

    /// <summary>Frees the copies.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors) t.Dispose();
    }
}
