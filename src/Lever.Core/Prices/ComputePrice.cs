namespace Lever.Core.Prices;

/// <summary>Local or rented compute in USD per hour (one GPU, or one vCPU).</summary>
/// <param name="Name">What is priced (<c>gpu</c>, <c>cpu_vcpu</c>).</param>
/// <param name="UsdPerHour">USD per hour.</param>
/// <param name="Source">Where the figure came from.</param>
/// <param name="Date">When.</param>
public sealed record ComputePrice(string Name, double UsdPerHour, string Source, string Date)
{
    /// <summary>"name $x/h (source, date)" for basis strings.</summary>
    public string Cite => $"{Name} ${UsdPerHour:0.###}/h ({Source}, {Date})";
}
