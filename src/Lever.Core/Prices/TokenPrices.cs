namespace Lever.Core.Prices;

/// <summary>USD per million tokens; a missing cached-input price means no discount.</summary>
public sealed record TokenPrices(double InputPerMillion, double? CachedInputPerMillion, double OutputPerMillion)
{
    /// <summary>Free (a local model whose cost is compute time, or unknown prices).</summary>
    public static TokenPrices Free { get; } = new(0, 0, 0);
}
