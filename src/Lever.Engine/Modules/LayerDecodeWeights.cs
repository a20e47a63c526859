using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>
/// One decoder layer's projections for <see cref="DecodeWeights"/>: transposed to (in, out), contiguous, with q/k/v
/// and gate/up fused along the output dimension.
/// </summary>
/// <param name="QkvT">[q; k; v] weights transposed, (C, nh·hd + 2·nkv·hd).</param>
/// <param name="QkvBias">[q; k; v] biases (Qwen2), or null.</param>
/// <param name="OT">o_proj weight transposed, (nh·hd, C).</param>
/// <param name="OBias">o_proj bias, or null.</param>
/// <param name="GateUpT">[gate; up] weights transposed, (C, 2·I).</param>
/// <param name="DownT">down_proj weight transposed, (I, C).</param>
public sealed record LayerDecodeWeights(Tensor QkvT, Tensor? QkvBias, Tensor OT, Tensor? OBias, Tensor GateUpT, Tensor DownT);
