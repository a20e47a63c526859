using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>model:</c> the models being compared.</summary>
public sealed record WorkloadModels
{
    /// <summary>Today's model: a price-book id, or a local model served on own GPUs (default gpt-4o).</summary>
    public string Current { get; init; } = "gpt-4o";

    /// <summary>The cheaper candidate for fine-tuning or distillation (default gpt-4o-mini).</summary>
    public string Small { get; init; } = "gpt-4o-mini";

    /// <summary>Size in billions of parameters of the open model considered for self-hosting (null: policy default).</summary>
    [Range(0.01, double.MaxValue)]
    public double? SelfHostedParamsB { get; init; }
}
