using Lever.Core.Prices;
using Lever.Lab.Data;
using Lever.Lab.Recipes.Provider.Internal;

namespace Lever.Lab.Reporting;

/// <summary>
/// A hosted model priced but not measured: what the lab's zero-shot prompt for this data would cost on it at the
/// workload's volume, from the price book's list prices. Shown beside the measured rows, so a team without a provider
/// configured still sees what "just call a frontier model" would cost — and knows nothing about its quality here.
/// </summary>
/// <param name="Model">Price-book id.</param>
/// <param name="InputTokens">Input tokens per answer (estimated: see <see cref="Of"/>).</param>
/// <param name="OutputTokens">Output tokens per answer.</param>
/// <param name="Per1kUsd">USD per 1,000 answers at list prices (no cache discount).</param>
/// <param name="MonthlyUsd">USD a month at the lab's volume.</param>
/// <param name="Source">Where the price was read, and when.</param>
public sealed record HostedQuote(string Model, double InputTokens, double OutputTokens, double Per1kUsd, double MonthlyUsd, string Source)
{
    /// <summary>The zero-shot instruction an extraction quote is priced with (its length counts as input).</summary>
    public const string ExtractionInstruction = "Transform the text as the examples of this task do and reply with the output only, on one line (JSON when the outputs are JSON).";

    /// <summary>How the token counts were found, for the report.</summary>
    public const string TokenBasis = "≈ characters/4 of the zero-shot prompt (the lab's hosted instruction + each test text, cut at lab.provider.prompt_chars) and of the labels; not a tokenizer count";

    /// <summary>
    /// Quotes for every hosted chat model in <paramref name="book"/> (fine-tuned prices excluded) not in
    /// <paramref name="measured"/>, cheapest first: input = the zero-shot instruction plus the mean test text as the
    /// hosted recipes send it (cut at <paramref name="promptChars"/>), output = the mean label, both at ≈4 characters a token.
    /// An extraction lab gives <paramref name="outputs"/> (the training outputs) instead of labels: the instruction is
    /// <see cref="ExtractionInstruction"/> and the output the mean training output.
    /// </summary>
    public static IReadOnlyList<HostedQuote> Of(PriceBook book, IReadOnlyList<LabExample> test, IReadOnlyList<string> labels, int promptChars, double requestsPerMonth,
        IReadOnlyCollection<string> measured, IReadOnlyList<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(book);
        var answers = outputs ?? labels;
        if (test.Count == 0 || answers.Count == 0) return [];
        var instruction = outputs is null ? HostedClassifier.Instruction(labels).Length : ExtractionInstruction.Length;
        var text = test.Average(e => Math.Min(e.Text.Length, promptChars) + "Text:\n".Length);
        var input = Math.Ceiling((instruction + text) / 4.0);
        var output = Math.Max(1, Math.Ceiling(answers.Average(l => l.Length) / 4.0));
        return book.ModelIds.Where(id => !id.StartsWith("ft:", StringComparison.Ordinal) && !measured.Contains(id))
            .Select(id => book.Model(id)!)
            .Select(p =>
            {
                var per1k = (input * p.Input + output * p.Output) / 1e6 * 1000;
                return new HostedQuote(p.Id, input, output, per1k, per1k * requestsPerMonth / 1000, $"{p.Source}, {p.Date}");
            })
            .OrderBy(q => q.Per1kUsd).ThenBy(q => q.Model, StringComparer.Ordinal)
            .ToList();
    }
}
