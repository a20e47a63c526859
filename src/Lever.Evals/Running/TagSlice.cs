namespace Lever.Evals.Running;

/// <summary>The items carrying one tag: how many completed, and their pass rate.</summary>
public sealed record TagSlice(int Items, double PassRate);
