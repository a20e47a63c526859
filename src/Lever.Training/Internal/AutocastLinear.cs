using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Internal;

/// <summary>
/// A dense projection (or the tied lm_head) run in a lower compute dtype. It registers the wrapped layer's own
/// Parameter objects under the same names ("weight", "bias"), so state-dict keys, checkpoints and the optimizer's
/// parameter list are unchanged while it is in place; the tied head registers nothing, as the engine's does.
/// </summary>
internal sealed class AutocastLinear : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor> _weight;
    private readonly Tensor? _bias;
    private readonly ScalarType _computeType;

    /// <summary>Wraps a dense layer.</summary>
    public AutocastLinear(Linear inner, ScalarType computeType) : base(nameof(AutocastLinear))
    {
        Original = inner;
        var weight = inner.weight!;
        _weight = () => weight;
        _bias = inner.bias;
        _computeType = computeType;
        register_parameter("weight", weight);
        if (inner.bias is { } bias) register_parameter("bias", bias);
    }

    /// <summary>Wraps a tied lm_head whose weight (the embedding) is owned elsewhere.</summary>
    public AutocastLinear(nn.Module<Tensor, Tensor> tiedHead, Func<Tensor> weight, ScalarType computeType) : base(nameof(AutocastLinear))
    {
        Original = tiedHead;
        _weight = weight;
        _computeType = computeType;
    }

    /// <summary>The module this one stands in for (put back by <see cref="Precision.Bf16Autocast.Remove"/>).</summary>
    public nn.Module<Tensor, Tensor> Original { get; }

    public override Tensor forward(Tensor x) => Autocast.Linear(x, _weight(), _bias, _computeType);

    protected override void RegisterComponents() { }
}
