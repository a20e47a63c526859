namespace Lever.Registry;

/// <summary>lever.yaml's <c>drift:</c> section: the thresholds of <c>lever drift</c>.</summary>
public sealed class DriftOptions
{
    /// <summary>A label or length distribution with PSI above this has shifted.</summary>
    public double PsiThreshold { get; set; } = 0.2;

    /// <summary>The centroid distance threshold: this percentile of split-half bootstraps of the reference inputs.</summary>
    public double CentroidPercentile { get; set; } = 99;

    /// <summary>Split-half resamples for that threshold.</summary>
    public int Bootstraps { get; set; } = 200;

    /// <summary>The quality drops when the registered score lies above the current score's interval by more than this many points.</summary>
    public double TolerancePoints { get; set; } = 1.0;

    /// <summary>The provider (under providers:) whose embeddings measure input drift; null: the first provider with an embedding model.</summary>
    public string? Embeddings { get; set; }
}
