// A frozen linear layer whose weight is stored in NF4 (QLoRA, Dettmers et al. 2023) and dequantized to float32 on
// every forward; the adapters on top train in full precision. Gradients flow to the input, never to the weight.
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>y = x·dequant(W)ᵀ + b with W held in 4 bits.</summary>
public sealed class Nf4Linear : nn.Module<Tensor, Tensor>
{
    private readonly Nf4Weight _weight;
    private readonly Tensor? _bias;

    /// <summary>Quantizes a dense linear layer (its weight (out, in) and optional bias).</summary>
    public Nf4Linear(TorchSharp.Modules.Linear dense, bool doubleQuantize = false) : this(dense.weight!, dense.bias, doubleQuantize)
    {
    }

    /// <summary>Quantizes a weight (out, in) read straight from a checkpoint; the optional bias is copied in float32.</summary>
    public Nf4Linear(Tensor weight, Tensor? bias, bool doubleQuantize = false) : base(nameof(Nf4Linear))
    {
        _weight = Nf4Weight.Quantize(weight, doubleQuantize);
        _bias = bias?.detach().to(ScalarType.Float32).clone();
        OutFeatures = weight.shape[0];
        InFeatures = weight.shape[1];
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>The quantized weight.</summary>
    public Nf4Weight Weight => _weight;

    /// <summary>The bias (kept in float32), or null.</summary>
    public Tensor? Bias => _bias;

    /// <summary>Device of the stored codes.</summary>
    public Device Device => _weight.Device;

    /// <summary>Autocast: when set (bfloat16), the input is cast to it and the weight dequantized into it; null follows the input's dtype.</summary>
    public ScalarType? ComputeType { get; set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (ComputeType is { } ct) x = x.to(ct);
        // Dequantized in the forward and again in the backward (Nf4MatMul), never held between them.
        var y = Internal.Nf4MatMul.apply(x, _weight);                   // (..., out)
        return _bias is null ? y : y + _bias.to(x.dtype);
    }

    /// <summary>Nothing to register: the NF4 storage is not a parameter and is never saved (it is re-made from the base).</summary>
    protected override void RegisterComponents() { }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weight.Dispose();
            _bias?.Dispose();
        }
        base.Dispose(disposing);
    }
}
