using static TorchSharp.torch;

namespace Lever.Engine.Internal;

/// <summary>
/// lm_head when tie_word_embeddings is set: logits = x · Eᵀ with the embedding matrix E. It holds E through a
/// delegate, not a field, so no second copy is registered and the state dict has no lm_head.weight (as HF saves it).
/// </summary>
internal sealed class TiedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor> _weight;

    public TiedLinear(Func<Tensor> weight) : base(nameof(TiedLinear)) => _weight = weight;

    /// <summary>The shared embedding matrix (vocab, C).</summary>
    public Tensor Weight => _weight();

    public override Tensor forward(Tensor x) => nn.functional.linear(x, _weight());

    protected override void RegisterComponents() { }
}
