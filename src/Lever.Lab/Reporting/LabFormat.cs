using System.Globalization;

namespace Lever.Lab.Reporting;

/// <summary>How the lab writes numbers for people (terminal table, HTML, rationale): one place, invariant culture.</summary>
public static class LabFormat
{
    /// <summary>A share as a percentage with two decimals: 0.98765 → "98.77%".</summary>
    public static string Pct(double v) => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>A count with thousands separators.</summary>
    public static string Volume(double v) => v.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Dollars: scientific below a cent (local compute is that cheap), cents up to $100, whole dollars above.</summary>
    public static string Usd(double v) => v switch
    {
        0 => "$0",
        < 0.01 => "$" + v.ToString("0.###e+0", CultureInfo.InvariantCulture),
        < 100 => "$" + v.ToString("0.00##", CultureInfo.InvariantCulture),
        _ => "$" + v.ToString("#,0", CultureInfo.InvariantCulture),
    };

    /// <summary>Milliseconds with precision that fits the magnitude.</summary>
    public static string Ms(double ms) => ms switch
    {
        < 1 => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms",
        < 100 => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        _ => ms.ToString("#,0", CultureInfo.InvariantCulture) + " ms",
    };
}
