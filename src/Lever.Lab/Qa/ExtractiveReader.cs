using Lever.Evals.Scoring;
using System.Text.RegularExpressions;
using Lever.Retrieval;
using Lever.Retrieval.Search;

namespace Lever.Lab.Qa;

/// <summary>
/// The local answerer: picks the one sentence of the retrieved passages that best answers the question and cites its
/// page — an extractive reader in the spirit of the sentence-selection baselines of answer-sentence selection (Yang et al.
/// 2015, WikiQA: word overlap weighted by IDF), with the structure of documentation added. No model and no hard-coding:
/// 1) question terms are the index's own terms (<see cref="TextAnalyzer"/>: stop words out, light stemming, identifiers kept whole);
/// 2) each term is weighted by its IDF over the candidate sentences (a term in every sentence tells nothing);
/// 3) a sentence scores the weights of the question terms it holds; a term it lacks but its passage's own heading holds
///    counts too (the sentence "The default is typically 128 megabytes" sits under the heading "shared_buffers (integer)"),
///    one only in the page title or a parent heading a quarter;
///    (the question itself and the page's headings repeated in its text are never answers);
/// 4) questions that ask for a quantity ("default", "how many", "maximum"…) prefer sentences with a number; a sentence that
///    opens with a question term is about it; short fragments (under four terms, no closing period: labels, table cells) count half; a
///    passage whose own heading covers question terms (the asked-for setting's entry) scales its sentences up by that share;
/// 5) the passage's retrieval score, relative to the best passage's, is added (the retriever's confidence).
/// </summary>
public static partial class ExtractiveReader
{
    /// <summary>Changes whenever the scoring changes: part of the lab's cache keys, so cached answers are recomputed.</summary>
    public const string Version = "reader-v5";

    /// <summary>Longest answer returned, in characters (a long sentence is cut at a word boundary).</summary>
    public const int MaxAnswerChars = 400;

    /// <summary>The best sentence of <paramref name="passages"/> for <paramref name="question"/>, or null when no sentence shares a term with it.</summary>
    public static ExtractedAnswer? Read(string question, IReadOnlyList<SearchHit> passages)
    {
        var query = TextAnalyzer.Terms(question).Distinct(StringComparer.Ordinal).ToList();
        if (query.Count == 0 || passages.Count == 0) return null;
        var candidates = new List<(int Passage, string Text, HashSet<string> Terms, int Count)>();
        for (int p = 0; p < passages.Count; p++)
        {
            foreach (var sentence in Sentences(passages[p].Text))
            {
                var terms = TextAnalyzer.Terms(sentence);
                if (terms.Count == 0) continue;
                candidates.Add((p, sentence, terms.ToHashSet(StringComparer.Ordinal), terms.Count));
            }
        }
        if (candidates.Count == 0) return null;

        // 2) IDF over the candidate sentences (the BM25 form, always positive).
        var weight = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in query)
        {
            int df = candidates.Count(c => c.Terms.Contains(t));
            weight[t] = Math.Log(1 + (candidates.Count - df + 0.5) / (df + 0.5));
        }
        var mean = weight.Values.Average();
        bool wantsNumber = QuantityCue().IsMatch(question);
        var headings = passages.Select(h => (Last: TextAnalyzer.Terms(LastHeading(h.Heading)).ToHashSet(StringComparer.Ordinal),
            All: TextAnalyzer.Terms(h.Title + " " + h.Heading).ToHashSet(StringComparer.Ordinal))).ToList();
        var normalizedQuestion = AnswerMatcher.Normalize(question);
        var headingLines = passages.Select(h => h.Heading.Split(" > ").Append(h.Title).Select(AnswerMatcher.Normalize).ToHashSet(StringComparer.Ordinal)).ToList();

        // How much of the question a passage's own heading covers: a passage about the asked-for setting or command is its topic.
        var total = weight.Values.Sum();
        var topic = headings.Select(hd => query.Where(hd.Last.Contains).Sum(t => weight[t]) / total).ToList();
        var maxScore = passages.Max(p => p.Score);

        ExtractedAnswer? best = null;
        foreach (var c in candidates)
        {
            // The question itself, or a heading repeated in the passage text, names the topic but answers nothing.
            var normalized = AnswerMatcher.Normalize(c.Text);
            if (normalized == normalizedQuestion || headingLines[c.Passage].Contains(normalized)) continue;
            double score = 0, own = 0;
            foreach (var t in query)
            {
                // 3) the sentence's own terms count fully, its own heading's too, the page's title and parent headings a quarter.
                if (c.Terms.Contains(t)) { score += weight[t]; own += weight[t]; }
                else if (headings[c.Passage].Last.Contains(t)) score += weight[t];
                else if (headings[c.Passage].All.Contains(t)) score += 0.25 * weight[t];
            }
            if (own == 0) continue; // a sentence that shares nothing with the question is never the answer
            // 4) answer-type and shape preferences, then a small prior for the retriever's order.
            if (wantsNumber && Digit().IsMatch(c.Text)) score += 0.5 * mean;
            // A sentence that opens with a question term is about it ("pg_dump is a utility …", "MERGE performs …").
            if (TextAnalyzer.Terms(c.Text.Length > 60 ? c.Text[..60] : c.Text) is [var lead, ..] && weight.TryGetValue(lead, out var lw)) score += 0.5 * lw;
            // A short line without a sentence end is a label or a table cell; "The default is 10." is a sentence.
            if (c.Count < 4 && !c.Text.EndsWith('.')) score *= 0.5;
            score *= 1 + topic[c.Passage];
            // 5) the retriever's confidence in the passage.
            score += mean * (maxScore > 0 ? passages[c.Passage].Score / maxScore : 0);
            if (best is null || score > best.Score) best = new ExtractedAnswer(Cut(c.Text), passages[c.Passage], score);
        }
        return best;
    }

    /// <summary>The sentences of a passage: lines, then sentence ends followed by a capital, digit, bracket or quote.</summary>
    public static IEnumerable<string> Sentences(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            foreach (var s in SentenceEnd().Split(line))
            {
                var t = s.Trim();
                if (t.Length >= 2) yield return t;
            }
        }
    }

    private static string LastHeading(string heading)
    {
        int at = heading.LastIndexOf(" > ", StringComparison.Ordinal);
        return at < 0 ? heading : heading[(at + 3)..];
    }

    private static string Cut(string text)
    {
        if (text.Length <= MaxAnswerChars) return text;
        int space = text.LastIndexOf(' ', MaxAnswerChars);
        return text[..(space > MaxAnswerChars / 2 ? space : MaxAnswerChars)] + " …";
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9(""'\\])")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\b(?:default|how (?:many|much|long|big|large)|maximum|minimum|max|min|limit|size|length|port|bits?|bytes?|value|number)\b", RegexOptions.IgnoreCase)]
    private static partial Regex QuantityCue();

    [GeneratedRegex(@"\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Digit();
}
