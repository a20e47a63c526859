using static TorchSharp.torch;

namespace Lever.Training.Internal;

/// <summary>
/// What torch.autocast does for <c>linear</c>: cast the input and the (float32 master) weight to the compute dtype for
/// this call only. Autograd's backward of the cast turns the gradient back into float32, so the master weight's
/// .grad stays float32 and the optimizer never sees a bfloat16 number.
/// </summary>
internal static class Autocast
{
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias, ScalarType computeType) =>
        nn.functional.linear(x.to(computeType), weight.to(computeType), bias?.to(computeType));   // (..., out) in computeType
}
