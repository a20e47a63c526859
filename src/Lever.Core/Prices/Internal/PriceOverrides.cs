using System.ComponentModel.DataAnnotations;

namespace Lever.Core.Prices.Internal;

/// <summary>lever.yaml's <c>prices:</c> section as written: every field optional, each one overriding the embedded book.</summary>
internal sealed class PriceOverrides
{
    public Dictionary<string, ModelPriceOverride>? Models { get; set; }

    public Dictionary<string, ModelPriceOverride>? FineTuned { get; set; }

    public Dictionary<string, TrainingPriceOverride>? Training { get; set; }

    public Dictionary<string, EmbeddingPriceOverride>? Embeddings { get; set; }

    public ComputePriceOverride? Compute { get; set; }

    [Range(0, 1)]
    public double? CacheReadFraction { get; set; }

    [Range(1, 10)]
    public double? CacheWritePremium { get; set; }
}

/// <summary>Where an overriding price comes from; both default to naming lever.yaml.</summary>
internal abstract class SourcedPriceOverride
{
    public string? Source { get; set; }

    public string? Date { get; set; }
}

/// <summary><c>prices.models.ID</c> and <c>prices.fine_tuned.ID</c>: USD per 1M tokens.</summary>
internal sealed class ModelPriceOverride : SourcedPriceOverride
{
    [Range(0, double.MaxValue)]
    public double? Input { get; set; }

    [Range(0, double.MaxValue)]
    public double? CachedInput { get; set; }

    [Range(0, double.MaxValue)]
    public double? CacheWrite { get; set; }

    [Range(0, double.MaxValue)]
    public double? Output { get; set; }
}

/// <summary><c>prices.training.BASE</c>: USD per 1M training tokens.</summary>
internal sealed class TrainingPriceOverride : SourcedPriceOverride
{
    [Range(0, double.MaxValue)]
    public double? Price { get; set; }
}

/// <summary><c>prices.embeddings.ID</c>: USD per 1M input tokens.</summary>
internal sealed class EmbeddingPriceOverride : SourcedPriceOverride
{
    [Range(0, double.MaxValue)]
    public double? Input { get; set; }
}

/// <summary><c>prices.compute</c>: the hourly price of local GPU and CPU compute.</summary>
internal sealed class ComputePriceOverride : SourcedPriceOverride
{
    [Range(0, double.MaxValue)]
    public double? GpuUsdPerHour { get; set; }

    public string? GpuName { get; set; }

    [Range(0, double.MaxValue)]
    public double? CpuUsdPerHour { get; set; }
}
