using System.Globalization;

namespace Lever.Advisor.Internal;

/// <summary>How the advice writes numbers and fits its one sentence: parameter counts, durations, dollars, percentages.</summary>
internal static class AdviceText
{
    /// <summary>A parameter count in words: 1.1M parameters, 7B parameters.</summary>
    public static string Params(double n) => n switch
    {
        >= 1e9 => $"{(n / 1e9).ToString("0.#", CultureInfo.InvariantCulture)}B parameters",
        >= 1e6 => $"{(n / 1e6).ToString("0.#", CultureInfo.InvariantCulture)}M parameters",
        _ => $"{n.ToString("#,0", CultureInfo.InvariantCulture)} parameters",
    };

    /// <summary>Seconds below two minutes, minutes above.</summary>
    public static string Seconds(double s) => s < 120 ? $"{s.ToString("0.#", CultureInfo.InvariantCulture)} s" : $"{(s / 60).ToString("0.#", CultureInfo.InvariantCulture)} min";

    /// <summary>Dollars with two significant digits below a cent (measured local costs are tiny) and cents above.</summary>
    public static string Usd(double v)
    {
        if (v <= 0) return "$0";
        if (v >= 0.01) return "$" + v.ToString(v >= 100 ? "#,0" : "#,0.00", CultureInfo.InvariantCulture);
        var decimals = Math.Min(12, 1 - (int)Math.Floor(Math.Log10(v)));
        return "$" + Math.Round(v, decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="head"/> + <paramref name="reason"/> + ".", the reason cut at a word with "…" so the sentence fits in 300 characters.</summary>
    public static string Fit(string head, string reason)
    {
        const int Max = 300;
        var text = head + reason + ".";
        if (text.Length <= Max) return text;
        var room = Max - head.Length - 2;
        if (room <= 10) return text[..(Max - 2)] + "….";
        var cut = reason[..room];
        var space = cut.LastIndexOf(' ');
        return head + (space > room / 2 ? cut[..space] : cut).TrimEnd(',', ';', ' ') + "….";
    }

    /// <summary>A fraction as a percentage with two decimals.</summary>
    public static string Pct(double q) => (q * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
