using Lever.Engine.Modules;
using Lever.Training.Internal;
using static TorchSharp.torch;

namespace Lever.Training.Trainer;

/// <summary>
/// Activation (gradient) checkpointing per decoder layer: keep each block's input, recompute the block in the
/// backward. Trades one extra forward per step (~1/3 more compute) for activation memory that no longer grows with
/// the number of layers — what makes LoRA's memory advantage survive larger batches.
/// </summary>
public static class GradientCheckpointing
{
    /// <summary>Turns it on for <paramref name="model"/>'s decoder layers (training forwards; decoding with a cache is unaffected).</summary>
    public static void Enable(LlamaForCausalLM model) => model.Model.LayerRunner = Run;

    /// <summary>Turns it off.</summary>
    public static void Disable(LlamaForCausalLM model) => model.Model.LayerRunner = null;

    /// <summary>True when enabled on <paramref name="model"/>.</summary>
    public static bool IsEnabled(LlamaForCausalLM model) => model.Model.LayerRunner is not null;

    private static Tensor Run(Tensor x, Func<Tensor, Tensor> block)
    {
        // Evaluation (no graph) needs nothing recomputed; and with a frozen embedding (LoRA) the first block's input
        // needs no gradient, so the checkpoint's output would not either and its backward would never run: give the
        // input one (as Hugging Face's enable_input_require_grads does).
        if (!is_grad_enabled()) return block(x);
        if (!x.requires_grad) x = x.detach().requires_grad_(true);
        return CheckpointedBlock.apply(x, block);
    }
}
