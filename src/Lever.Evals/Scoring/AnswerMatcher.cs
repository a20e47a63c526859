using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lever.Evals.Scoring;

/// <summary>
/// Whether an answer is right (the <c>answer</c> scorer, and the QA lab's rule): it contains the expected text after both are
/// normalized the same way —
/// 1) Unicode NFKC, lower case, typographic quotes and dashes made ASCII;
/// 2) number words zero–twenty become digits ("four" → "4");
/// 3) byte units become short forms (kilobytes → kb, megabytes → mb, gigabytes → gb, terabytes → tb) and a number
///    followed by a space and such a unit is joined ("128 megabytes" → "128mb", "1 GB" → "1gb");
/// 4) quotes, brackets and , ; ! ? become spaces, a '.' or ':' that ends a word becomes a space; runs of space collapse.
/// The expected text must then occur on word boundaries (no letter or digit right before or after it: "100" is not found in "1000").
/// </summary>
public static partial class AnswerMatcher
{
    private static readonly string[] NumberWords =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];

    /// <summary>True when the normalized <paramref name="answer"/> contains the normalized <paramref name="expected"/> on word boundaries.</summary>
    public static bool Contains(string? answer, string expected)
    {
        if (string.IsNullOrWhiteSpace(answer)) return false;
        var a = Normalize(answer);
        var e = Normalize(expected);
        if (e.Length == 0) return false;
        for (int at = a.IndexOf(e, StringComparison.Ordinal); at >= 0; at = a.IndexOf(e, at + 1, StringComparison.Ordinal))
        {
            bool before = at == 0 || !char.IsLetterOrDigit(a[at - 1]) || !char.IsLetterOrDigit(e[0]);
            bool after = at + e.Length == a.Length || !char.IsLetterOrDigit(a[at + e.Length]) || !char.IsLetterOrDigit(e[^1]);
            if (before && after) return true;
        }
        return false;
    }

    /// <summary>The normalized form described on the class.</summary>
    public static string Normalize(string text)
    {
        var s = text.Normalize(NormalizationForm.FormKC).ToLower(CultureInfo.InvariantCulture);
        s = s.Replace('\u2018', '\'').Replace('\u2019', '\'').Replace('\u201C', '"').Replace('\u201D', '"').Replace('\u2013', '-').Replace('\u2014', '-').Replace('\u00A0', ' ');
        s = NumberWord().Replace(s, m => Array.IndexOf(NumberWords, m.Value).ToString(CultureInfo.InvariantCulture));
        s = Unit().Replace(s, m => m.Groups[1].Value switch
        {
            "kilo" => "kb",
            "mega" => "mb",
            "giga" => "gb",
            _ => "tb",
        });
        s = NumberUnit().Replace(s, "$1$2");
        s = Punctuation().Replace(s, " ");
        s = WordEnd().Replace(s, " ");
        return Space().Replace(s, " ").Trim();
    }

    [GeneratedRegex(@"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)\b")]
    private static partial Regex NumberWord();

    [GeneratedRegex(@"\b(kilo|mega|giga|tera)bytes?\b")]
    private static partial Regex Unit();

    [GeneratedRegex(@"\b(\d+(?:\.\d+)?) (kb|mb|gb|tb)\b")]
    private static partial Regex NumberUnit();

    [GeneratedRegex(@"[""'()\[\]{},;!?]")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"[.:](?=\s|$)")]
    private static partial Regex WordEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();
}
