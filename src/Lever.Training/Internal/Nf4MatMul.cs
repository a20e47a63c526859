using Lever.Training.Lora;
using static TorchSharp.torch;

namespace Lever.Training.Internal;

/// <summary>
/// x · dequant(W)ᵀ whose backward dequantizes W again instead of keeping the float32 copy from the forward, as
/// bitsandbytes does for QLoRA: otherwise autograd would hold a full-precision copy of every frozen weight until the
/// backward, undoing the 4-bit storage. The weight is frozen, so only the input gets a gradient.
/// </summary>
internal sealed class Nf4MatMul : autograd.SingleTensorFunction<Nf4MatMul>
{
    public override string Name => nameof(Nf4MatMul);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = (Nf4Weight)vars[1];
        ctx.save_data("weight", weight);
        // A local scope: the dequantized weight and its views (.to, .t) all hold its storage, and every handle must
        // go before the next layer runs, or the step's scope would keep all of them until the step ends.
        using var scope = NewDisposeScope();
        var w = weight.Dequantize().to(x.dtype);                       // (out, in)
        return x.matmul(w.t()).MoveToOuterDisposeScope();              // (..., out)
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var weight = (Nf4Weight)ctx.get_data("weight");
        using var scope = NewDisposeScope();
        var w = weight.Dequantize().to(gradOutput.dtype);
        return [gradOutput.matmul(w).MoveToOuterDisposeScope(), null!];                          // (..., in); the frozen weight gets none
    }
}
