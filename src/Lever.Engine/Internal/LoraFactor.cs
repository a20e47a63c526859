using static TorchSharp.torch;

namespace Lever.Engine.Internal;

/// <summary>One projection's LoRA factors in the decode layout: Aᵀ (in, r) and (scaling·B)ᵀ (r, out).</summary>
internal sealed record LoraFactor(Tensor AT, Tensor BT) : IDisposable
{
    public void Dispose()
    {
        AT.Dispose();
        BT.Dispose();
    }
}
