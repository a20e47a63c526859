namespace Lever.Advisor;

/// <summary>One figure of a cost, with the inputs and price-book entries it was computed from.</summary>
/// <param name="Name">What it pays for.</param>
/// <param name="Usd">Amount in USD.</param>
/// <param name="Basis">How it was computed: the formula with its inputs, prices (source, date) and policy fields.</param>
public sealed record CostItem(string Name, double Usd, string Basis);
