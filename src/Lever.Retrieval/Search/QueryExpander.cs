using System.Text.RegularExpressions;

namespace Lever.Retrieval.Search;

/// <summary>
/// Closes the commonest vocabulary gaps between how people ask and how technical documentation is written,
/// before BM25 sees the query: question idioms become the content words they stand for ("how long" is about
/// time, not length) and a small thesaurus of general software vocabulary adds synonyms and the abbreviations
/// used in identifiers (memory/mem, maximum/max, permission/privilege). Expansion terms count
/// <see cref="ExpansionWeight"/> of an original term, so they can lift a passage but not outvote the question.
/// </summary>
public static partial class QueryExpander
{
    /// <summary>Weight of an added term relative to a term the user typed.</summary>
    public const float ExpansionWeight = 0.5f;

    private static readonly (Regex Pattern, string Replacement)[] Idioms =
    [
        (HowLong(), " time duration timeout "),
        (HowMany(), " number count "),
        (HowMuch(), " amount "),
        (HowOften(), " frequency interval "),
        (RightNow(), " currently "),
    ];

    // Each group lists words that name the same thing in questions and in docs/identifiers.
    private static readonly string[][] Groups =
    [
        ["permission", "privilege", "grant", "access"],
        ["run", "execute"],
        ["running", "executing", "active"],
        ["currently", "current", "active"],
        ["remove", "delete", "drop"],
        ["kill", "terminate", "cancel"],
        ["stuck", "hung", "blocked"],
        ["speed", "performance", "fast"],
        ["user", "role"],
        ["import", "load", "copy"],
        ["export", "dump", "unload"],
        ["backup", "dump"],
        ["restore", "recover"],
        ["encrypt", "encryption", "ssl", "tls"],
        ["autoincrement", "serial", "sequence", "identity"],
        ["incrementing", "serial", "sequence", "identity"],
        ["memory", "mem"],
        ["maximum", "max"],
        ["minimum", "min"],
        ["statistics", "stats", "stat"],
        ["configuration", "config", "setting", "parameter"],
        ["directory", "dir", "folder"],
        ["transaction", "xact"],
        ["authentication", "auth"],
        ["connection", "conn"],
        ["size", "space"],
        ["slow", "duration"],
        ["error", "failure"],
        ["schedule", "cron"],
        ["limit", "maximum", "max"],
    ];

    private static readonly Dictionary<string, string[]> Thesaurus = BuildThesaurus();

    /// <summary>The query rewritten for idioms, and the expansion terms (analysed) to add at reduced weight.</summary>
    public static (string Query, List<string> Expansions) Expand(string query)
    {
        var rewritten = " " + query.ToLowerInvariant() + " ";
        foreach (var (pattern, replacement) in Idioms) rewritten = pattern.Replace(rewritten, replacement);
        var typed = TextAnalyzer.Terms(rewritten).ToHashSet(StringComparer.Ordinal);
        var expansions = new List<string>();
        foreach (var term in typed.ToList())
        {
            if (!Thesaurus.TryGetValue(term, out var synonyms)) continue;
            foreach (var s in synonyms)
                if (typed.Add(s)) expansions.Add(s);
        }
        return (rewritten, expansions);
    }

    private static Dictionary<string, string[]> BuildThesaurus()
    {
        var map = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var group in Groups)
        {
            var stems = group.SelectMany(TextAnalyzer.Terms).Distinct().ToList();
            foreach (var s in stems)
            {
                if (!map.TryGetValue(s, out var set)) map[s] = set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var other in stems) if (other != s) set.Add(other);
            }
        }
        return map.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    [GeneratedRegex(@"\bhow long\b")]
    private static partial Regex HowLong();

    [GeneratedRegex(@"\bhow many\b")]
    private static partial Regex HowMany();

    [GeneratedRegex(@"\bhow much\b")]
    private static partial Regex HowMuch();

    [GeneratedRegex(@"\bhow often\b")]
    private static partial Regex HowOften();

    [GeneratedRegex(@"\b(right now|at the moment)\b")]
    private static partial Regex RightNow();
}
