// The SwiGLU feed-forward block (Shazeer 2020, "GLU Variants Improve Transformer"), as in HF LlamaMLP:
// down_proj(silu(gate_proj(x)) * up_proj(x)).
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>SwiGLU MLP with HF names gate_proj, up_proj, down_proj. Each projection can be replaced (LoRA, NF4).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> _gate;
    private nn.Module<Tensor, Tensor> _up;
    private nn.Module<Tensor, Tensor> _down;

    /// <summary>Creates the block for <paramref name="config"/>.</summary>
    public Mlp(LlamaConfig config, Device? device = null) : base(nameof(Mlp))
    {
        _gate = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, device: device);
        _up = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false, device: device);
        _down = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false, device: device);
        register_module("gate_proj", _gate);
        register_module("up_proj", _up);
        register_module("down_proj", _down);
    }

    /// <summary>gate_proj (hidden → intermediate). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> GateProj { get => _gate; set => _gate = this.Replace("gate_proj", value); }

    /// <summary>up_proj (hidden → intermediate). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> UpProj { get => _up; set => _up = this.Replace("up_proj", value); }

    /// <summary>down_proj (intermediate → hidden). Setting it re-registers the module under the same name.</summary>
    public nn.Module<Tensor, Tensor> DownProj { get => _down; set => _down = this.Replace("down_proj", value); }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) =>
        _down.call(nn.functional.silu(_gate.call(x)) * _up.call(x));   // (B, T, C)

    /// <summary>
    /// The same block with a <see cref="DecodeWeights"/> snapshot's fused [gate; up] and transposed down weights, plus
    /// the unmerged LoRA deltas of <paramref name="adapters"/> for decoder layer <paramref name="layer"/> (needs <paramref name="weights"/>).
    /// </summary>
    public Tensor Forward(Tensor x, LayerDecodeWeights? weights, RowAdapters? adapters = null, int layer = 0)
    {
        if (weights is null)
            return adapters is null ? forward(x) : throw new ArgumentException("unmerged adapters run on a DecodeWeights snapshot", nameof(adapters));
        var gateUp = x.matmul(weights.GateUpT);                          // (B, T, 2·I)
        var width = gateUp.shape[^1] / 2;
        if (adapters is not null)
        {
            adapters.Add(gateUp, x, layer, "gate_proj", 0, width);
            adapters.Add(gateUp, x, layer, "up_proj", width, width);
        }
        var hidden = nn.functional.silu(gateUp.narrow(-1, 0, width)).mul_(gateUp.narrow(-1, width, width));
        var down = hidden.matmul(weights.DownT);                         // (B, T, C)
        adapters?.Add(down, hidden, layer, "down_proj", 0, down.shape[^1]);
        return down;
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
