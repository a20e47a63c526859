namespace Lever.Training.Trainer;

/// <summary>The dtype of forward and backward compute; master weights, gradients and optimizer state are always float32.</summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32.</summary>
    F32,

    /// <summary>Matmuls (projections, lm_head, attention) in bfloat16 on float32 master weights; norms, softmax and loss in float32.</summary>
    Bf16,
}
