using Lever.Engine.Modules;
using Lever.Training.Runs;
using Lever.Training.Trainer;

namespace Lever.Training.Tests;

/// <summary>The memory estimate behind LoRA's memory-saving defaults, on the shipped presets.</summary>
public sealed class MemoryPlanTests
{
    [Fact]
    public void The_activation_estimate_is_the_documented_formula()
    {
        // small: h 512, kv 4 heads × 64, i 1376, 8 heads, 6 layers, V 16384; 4 × 128 tokens
        long perTokenLayer = 10 * 512 + 3 * 256 + 4 * 1376 + 8 * 128;
        Assert.Equal(4L * 512 * (6 * perTokenLayer + 3 * 16384), MemoryPlan.ActivationEstimate(ModelPresets.Small, 4, 128));
        Assert.Equal(16 * ModelPresets.ParameterCount(ModelPresets.Small), MemoryPlan.ParameterEstimate(ModelPresets.Small, TrainingMethod.Full, 0));
        Assert.Equal(4 * ModelPresets.ParameterCount(ModelPresets.Small) + 16 * 1000, MemoryPlan.ParameterEstimate(ModelPresets.Small, TrainingMethod.Lora, 1000));
        Assert.True(MemoryPlan.ParameterEstimate(ModelPresets.Base, TrainingMethod.Qlora, 0) < MemoryPlan.ParameterEstimate(ModelPresets.Base, TrainingMethod.Lora, 0) / 2);
    }

    [Theory]
    [InlineData("small", "lora", 4, 128, true)]
    [InlineData("small", "lora", 2, 64, false)]
    [InlineData("small", "qlora", 2, 64, true)]
    [InlineData("base", "lora", 4, 128, true)]
    [InlineData("base", "lora", 2, 64, false)]
    [InlineData("base", "full", 4, 128, false)]
    public void Lora_saves_memory_by_default_when_activations_dominate(string preset, string method, int batch, int seq, bool expected)
    {
        var m = Enum.Parse<TrainingMethod>(method, ignoreCase: true);
        var plan = MemoryPlan.Choose(ModelPresets.Get(preset)!, m, batch, seq, 400_000, null, null);
        Assert.Equal(expected, plan.GradientCheckpointing);
        Assert.Equal(expected, plan.ReturnFreedMemory);
        Assert.Contains(expected ? "activations dominate" : m == TrainingMethod.Full ? "off by default" : "do not dominate", plan.Reason);
    }

    [Fact]
    public void Explicit_settings_override_the_estimate()
    {
        var plan = MemoryPlan.Choose(ModelPresets.Small, TrainingMethod.Lora, 4, 128, 400_000, false, null);
        Assert.False(plan.GradientCheckpointing);
        Assert.True(plan.ReturnFreedMemory);
        Assert.Contains("checkpointing given", plan.Reason);
        Assert.True(MemoryPlan.Choose(ModelPresets.Base, TrainingMethod.Full, 2, 64, 0, true, true).GradientCheckpointing);
    }
}
