using static TorchSharp.torch;

namespace Lever.Training.Internal;

/// <summary>
/// One decoder block under activation checkpointing (Chen et al. 2016, "Training Deep Nets with Sublinear Memory
/// Cost"; torch.utils.checkpoint, reentrant variant): the forward runs the block without recording a graph and keeps
/// only its input; the backward runs it again with the graph, from the same RNG state (so LoRA dropout draws the same
/// mask), and back-propagates the incoming gradient through that copy, which accumulates the parameters' gradients
/// and gives the input's. Only the input (B, T, C) stays alive per block between forward and backward.
/// </summary>
internal sealed class CheckpointedBlock : autograd.SingleTensorFunction<CheckpointedBlock>
{
    public override string Name => nameof(CheckpointedBlock);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var block = (Func<Tensor, Tensor>)vars[1];
        ctx.save_data("x", x);
        ctx.save_data("block", block);
        ctx.save_data("rng", random.get_rng_state());
        // Its own scope: the block's intermediate tensors go now, not at the end of the step.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return block(x).MoveToOuterDisposeScope();                         // (B, T, C)
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var x = (Tensor)ctx.get_data("x");
        var block = (Func<Tensor, Tensor>)ctx.get_data("block");
        var outer = random.get_rng_state();
        random.set_rng_state((Tensor)ctx.get_data("rng"));
        try
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var input = x.detach().requires_grad_(true);
            var output = block(input);                                      // the block again, this time with its graph
            output.backward([gradOutput]);                                  // parameters' .grad accumulate here
            return [input.grad!.detach().clone().MoveToOuterDisposeScope(), null!];
        }
        finally
        {
            random.set_rng_state(outer);
        }
    }
}
