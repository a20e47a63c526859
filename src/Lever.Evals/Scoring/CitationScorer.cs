using System.Globalization;
using System.Text.RegularExpressions;
using Lever.Evals.Internal;

namespace Lever.Evals.Scoring;

/// <summary>
/// Citation correctness: the answer cites, as [n] (the n-th passage in the prompt) or [passage-id], at least
/// one passage that contains the expected fact (metadata.fact, else the expected text). Value is the fraction
/// of cited passages that contain it, so citing the right chunk among wrong ones scores below 1 but passes.
/// </summary>
internal sealed partial class CitationScorer : IScorer
{
    public string Name => "citation";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        var fact = input.Item.Fact ?? input.Item.ExpectedText;
        if (string.IsNullOrWhiteSpace(fact)) return ValueTask.FromResult(new Score(Name, 0, false, "no fact to check"));
        var cited = Cited(input.Output.Raw, input.Passages);
        if (cited.Count == 0) return ValueTask.FromResult(new Score(Name, 0, false, "no citation of a passage in the prompt"));
        var good = cited.Where(p => TextNormalizer.ContainsNormalized(p.Text, fact)).Select(p => p.Id).ToList();
        double value = (double)good.Count / cited.Count;
        return ValueTask.FromResult(new Score(Name, value, good.Count > 0, $"cited {string.Join(",", cited.Select(c => c.Id))}; with the fact: {string.Join(",", good)}"));
    }

    internal static List<Retrieval.RetrievedPassage> Cited(string answer, IReadOnlyList<Retrieval.RetrievedPassage> passages)
    {
        var result = new List<Retrieval.RetrievedPassage>();
        foreach (Match m in Brackets().Matches(answer))
        {
            foreach (var part in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                Retrieval.RetrievedPassage? hit = int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= passages.Count
                    ? passages[n - 1]
                    : passages.FirstOrDefault(p => string.Equals(p.Id, part, StringComparison.Ordinal));
                if (hit is not null && !result.Contains(hit)) result.Add(hit);
            }
        }
        return result;
    }

    [GeneratedRegex(@"\[([^\[\]\n]{1,200})\]")]
    private static partial Regex Brackets();
}
