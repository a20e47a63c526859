namespace Lever.Advisor;

/// <summary>
/// A measured quality difference between two recipes in points (quality × 100), with its 95% interval and how it was
/// computed. It counts as a gain (<see cref="Demonstrated"/>) only when the interval excludes zero and the difference
/// exceeds the tolerance; otherwise it is "no demonstrated gain" and never decides on its own.
/// </summary>
/// <param name="Points">Difference in points (positive: the recipe is better than the one it is compared with).</param>
/// <param name="Low">Lower end of the 95% interval, points (null when the evidence allows none).</param>
/// <param name="High">Upper end of the 95% interval, points (null when the evidence allows none).</param>
/// <param name="Method"><c>mcnemar</c> (paired, per-item right/wrong), <c>paired_bootstrap</c> (paired, per-item scores), <c>unpaired</c> (aggregates and item counts), or <c>none</c> (no item counts: taken at face value).</param>
/// <param name="Items">Items the interval rests on (paired: the shared items; unpaired: the smaller count; 0 for none).</param>
/// <param name="PValue">Two-sided p-value where the method gives one (McNemar), else null.</param>
/// <param name="TolerancePoints">The tolerance it was judged against.</param>
public sealed record GainInterval(double Points, double? Low, double? High, string Method, long Items, double? PValue, double TolerancePoints)
{
    /// <summary>The interval excludes zero and the difference exceeds the tolerance (at face value when there is no interval).</summary>
    public bool Demonstrated => Points > TolerancePoints && (Low is not { } lo || lo > 0);

    /// <summary>The interval lies below zero (or, without one, the difference is below minus the tolerance): demonstrably worse.</summary>
    public bool Worse => High is { } hi ? hi < 0 : Points < -TolerancePoints;

    /// <summary><c>demonstrated</c>, <c>worse</c>, or <c>not demonstrated</c> (the interval spans zero or the difference is inside the tolerance).</summary>
    public string Verdict => Demonstrated ? "demonstrated" : Worse ? "worse" : "not demonstrated";

    /// <summary>"+4.8 points [3.9, 5.7]" (or "+4.8 points (no interval)").</summary>
    public string Text => Low is { } lo && High is { } hi
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Points:+0.0;-0.0;0.0} points [{lo:+0.0;-0.0;0.0}, {hi:+0.0;-0.0;0.0}]")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Points:+0.0;-0.0;0.0} points (no interval)");
}
