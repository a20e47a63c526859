using Lever.Engine.Modules;
using Lever.Training.Runs;

namespace Lever.Training.Trainer;

/// <summary>
/// The memory-saving settings of a run and why they were chosen. LoRA and QLoRA freeze the weights, so what is left to
/// save on a small model is the activations autograd keeps for the backward; when the estimate says they outweigh the
/// weights, gradients and optimizer state, activation checkpointing and returning freed heap to the OS are turned on.
/// </summary>
/// <param name="GradientCheckpointing">Recompute each decoder layer in the backward.</param>
/// <param name="ReturnFreedMemory">mallopt(M_MMAP_THRESHOLD, 64 KiB): freed blocks of 64 KiB or more go back to the OS at once.</param>
/// <param name="ActivationBytes">Estimated activation bytes one micro-batch keeps for the backward (no checkpointing).</param>
/// <param name="ParameterBytes">Estimated bytes of weights (frozen and trainable), gradients and AdamW state.</param>
/// <param name="Reason">One line for the summary: chosen by the estimate, or given by a flag.</param>
public sealed record MemoryPlan(bool GradientCheckpointing, bool ReturnFreedMemory, long ActivationBytes, long ParameterBytes, string Reason)
{
    /// <summary>
    /// Activation bytes of one micro-batch of <paramref name="batch"/> × <paramref name="seqLen"/> tokens kept for the
    /// backward, float32: per token and layer 10·h + 3·kv + 4·i + heads·T floats (norm inputs and outputs, q/k/v and their
    /// rotated copies, the attention output and its projection, the residual sums, the MLP's gate, up, SiLU(gate) and
    /// product, and one row of attention probabilities), plus the logits, their log-softmax and gradient (3·V floats).
    /// It is a lower bound (the measured peaks are ~2–3× higher: libtorch keeps temporaries this count leaves out), and
    /// it only has to rank activations against <see cref="ParameterEstimate"/>. LoRA adds nothing here on purpose, so the
    /// decision is conservative.
    /// </summary>
    public static long ActivationEstimate(LlamaConfig config, int batch, int seqLen)
    {
        ArgumentNullException.ThrowIfNull(config);
        long h = config.HiddenSize, kv = config.KeyValueHeads * (long)config.HeadDim, i = config.IntermediateSize;
        long perTokenLayer = 10 * h + 3 * kv + 4 * i + (long)config.NumAttentionHeads * seqLen;
        long tokens = (long)batch * seqLen;
        return 4 * tokens * (config.NumHiddenLayers * perTokenLayer + 3L * config.VocabSize);
    }

    /// <summary>
    /// Bytes of the parameter side: full training 16 per weight (float32 weight, gradient, two AdamW moments); LoRA 4 per
    /// frozen weight plus 16 per adapter weight; QLoRA 0.5625 per frozen projection weight (NF4 with double-quantized
    /// scales) and 4 per embedding or norm weight, plus 16 per adapter weight.
    /// </summary>
    public static long ParameterEstimate(LlamaConfig config, TrainingMethod method, long adapterParameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        long total = ModelPresets.ParameterCount(config);
        long embedding = (long)config.VocabSize * config.HiddenSize * (config.TieWordEmbeddings ? 1 : 2);
        long norms = (2L * config.NumHiddenLayers + 1) * config.HiddenSize;
        long projections = total - embedding - norms;
        return method switch
        {
            TrainingMethod.Lora => 4 * total + 16 * adapterParameters,
            TrainingMethod.Qlora => (long)(0.5625 * projections) + 4 * (embedding + norms) + 16 * adapterParameters,
            _ => 16 * total,
        };
    }

    /// <summary>
    /// The plan for a run: explicit settings (non-null) win; otherwise LoRA and QLoRA turn both savings on when the
    /// activation estimate exceeds the parameter side, and every other method keeps them off.
    /// </summary>
    public static MemoryPlan Choose(LlamaConfig config, TrainingMethod method, int batch, int seqLen, long adapterParameters,
        bool? gradientCheckpointing, bool? returnFreedMemory)
    {
        var activations = ActivationEstimate(config, batch, seqLen);
        var parameters = ParameterEstimate(config, method, adapterParameters);
        bool adapters = method is TrainingMethod.Lora or TrainingMethod.Qlora;
        bool dominate = adapters && activations > parameters;
        string estimate = FormattableString.Invariant($"activations ≈ {activations / 1048576.0:F0} MiB per micro-batch vs weights+optimizer ≈ {parameters / 1048576.0:F0} MiB");
        string auto = !adapters ? "off by default for this method"
            : dominate ? "on: activations dominate"
            : "off: activations do not dominate";
        bool checkpointing = gradientCheckpointing ?? dominate;
        bool release = returnFreedMemory ?? dominate;
        string reason = gradientCheckpointing is null && returnFreedMemory is null ? $"{auto} ({estimate})"
            : $"{(gradientCheckpointing is null ? "checkpointing " + auto : "checkpointing given")}, {(returnFreedMemory is null ? "freed-memory return " + auto : "freed-memory return given")} ({estimate})";
        return new MemoryPlan(checkpointing, release, activations, parameters, reason);
    }
}
