// Mixed-precision training in bfloat16 the way torch.autocast("cpu", dtype=torch.bfloat16) does it (Micikevicius
// et al. 2018, "Mixed Precision Training"; bfloat16 needs no loss scaling, as its exponent range is float32's):
// the weights stay float32 ("master weights") and AdamW's moments stay float32; every projection and lm_head casts
// its input and weight to bfloat16 for the call, so the matmuls and attention (q, k, v arrive in bfloat16) run in
// bfloat16 and the activations saved for the backward are bfloat16. The residual stream, RMSNorm, softmax inside the
// loss and the loss itself stay float32 (the engine's forward returns float32 logits), and the cast's backward hands
// float32 gradients to the master weights. TorchSharp 0.107 has no autocast, so this swaps modules instead.
using Lever.Engine.Modules;
using Lever.Training.Internal;
using Lever.Training.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lever.Training.Precision;

/// <summary>Switches a model's projections to bfloat16 compute over float32 weights, and back.</summary>
public static class Bf16Autocast
{
    /// <summary>
    /// Makes every projection of <paramref name="model"/> (dense, LoRA-wrapped or NF4) and its lm_head compute in
    /// bfloat16. Parameter names, objects and dtypes are unchanged, so optimizer state and checkpoints are as in float32.
    /// </summary>
    public static void Apply(LlamaForCausalLM model)
    {
        foreach (var slot in model.Projections()) Set(slot, ScalarType.BFloat16);
        if (model.Config.TieWordEmbeddings && model.LmHead is not AutocastLinear)
            model.LmHead = new AutocastLinear(model.LmHead, () => model.Model.EmbedTokens.weight!, ScalarType.BFloat16);
    }

    /// <summary>Puts float32 compute back (the exact modules that were there before <see cref="Apply"/>).</summary>
    public static void Remove(LlamaForCausalLM model)
    {
        foreach (var slot in model.Projections()) Set(slot, null);
        if (model.LmHead is AutocastLinear head) model.LmHead = head.Original;
    }

    /// <summary>True when <see cref="Apply"/> is in effect on <paramref name="model"/>.</summary>
    public static bool IsApplied(LlamaForCausalLM model) => model.LmHead is AutocastLinear
        || model.Projections().Any(s => s.Get() is AutocastLinear or LoraLinear { ComputeType: not null } or Nf4Linear { ComputeType: not null });

    private static void Set(ProjectionSlot slot, ScalarType? computeType)
    {
        switch (slot.Get())
        {
            case Linear dense when computeType is { } type:
                slot.Set(new AutocastLinear(dense, type));
                break;
            case AutocastLinear wrapped when computeType is null:
                slot.Set(wrapped.Original);
                break;
            case LoraLinear lora:
                lora.ComputeType = computeType;
                if (lora.BaseLayer is Nf4Linear loraBase) loraBase.ComputeType = computeType;
                break;
            case Nf4Linear nf4:
                nf4.ComputeType = computeType;
                break;
        }
    }
}
