using static TorchSharp.torch;

namespace Lever.Engine.Modules;

/// <summary>
/// One replaceable linear projection of a model, by its HF module path (e.g. "model.layers.3.self_attn.q_proj"),
/// for adapters (LoRA) and quantization (NF4) to wrap: read it with <see cref="Get"/>, put the wrapper back with <see cref="Set"/>.
/// </summary>
/// <param name="Name">HF module path.</param>
/// <param name="Kind">Short name: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj or lm_head.</param>
/// <param name="Get">Returns the current module.</param>
/// <param name="Set">Replaces it (re-registered under the same name).</param>
public sealed record ProjectionSlot(string Name, string Kind, Func<nn.Module<Tensor, Tensor>> Get, Action<nn.Module<Tensor, Tensor>> Set);
