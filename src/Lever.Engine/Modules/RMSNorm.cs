// Root-mean-square layer norm (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization"), as in HF LlamaRMSNorm:
// normalise in float32, then scale by a learned per-channel weight (no bias, no mean subtraction).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>RMSNorm with HF parameter name <c>weight</c>.</summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    /// <summary>Creates the norm over the last dimension of width <paramref name="dim"/>; weight starts at one.</summary>
    public RMSNorm(long dim, double eps, Device? device = null) : base(nameof(RMSNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(dim, device: device));
        register_parameter("weight", weight);
    }

    /// <summary>The learned scale (dim).</summary>
    public Parameter Weight => weight;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        var inputType = x.dtype;
        var h = x.to(ScalarType.Float32);
        var variance = h.pow(2).mean([-1], keepdim: true);   // (B, T, 1)
        h = h * rsqrt(variance + _eps);
        return weight * h.to(inputType);
    }

    /// <summary>Registration is explicit (HF names), so the reflective field scan must not add private fields again.</summary>
    protected override void RegisterComponents() { }
}
