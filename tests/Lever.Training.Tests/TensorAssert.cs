namespace Lever.Training.Tests;

/// <summary>Exact tensor equality (TorchSharp's Tensor.equal is element-wise).</summary>
internal static class TensorAssert
{
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
