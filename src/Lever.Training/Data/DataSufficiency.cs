using System.Globalization;

namespace Lever.Training.Data;

/// <summary>
/// Whether a data set is large enough for its task, against the usual fine-tuning bands: style/format 50–500,
/// classification (5–10 classes) 500–2,000, extraction/transformation 1,000–10,000, major behaviour change 10,000+.
/// </summary>
public sealed record DataSufficiency(DataTask Task, int Examples, int Low, int? High, string Verdict, string Advice)
{
    /// <summary>The band for <paramref name="task"/>: (low, high or null for open-ended).</summary>
    public static (int Low, int? High) Band(DataTask task) => task switch
    {
        DataTask.Style => (50, 500),
        DataTask.Classification => (500, 2_000),
        DataTask.Extraction => (1_000, 10_000),
        _ => (10_000, null),
    };

    /// <summary>Judges <paramref name="examples"/> distinct examples (with <paramref name="classes"/> labels for classification).</summary>
    public static DataSufficiency Judge(DataTask task, int examples, int? classes = null)
    {
        var (low, high) = Band(task);
        var band = high is null ? $"{low:N0}+" : $"{low:N0}–{high:N0}";
        string verdict, advice;
        if (examples < low)
        {
            verdict = "too few";
            advice = string.Create(CultureInfo.InvariantCulture, $"{examples:N0} examples is below the {band} band for {task.ToString().ToLowerInvariant()}; collect about {low - examples:N0} more, or try prompting with few-shot examples first");
        }
        else if (high is not null && examples > high)
        {
            verdict = "more than enough";
            advice = string.Create(CultureInfo.InvariantCulture, $"{examples:N0} examples is above the {band} band; a sample may train as well for less compute");
        }
        else
        {
            verdict = "sufficient";
            advice = string.Create(CultureInfo.InvariantCulture, $"{examples:N0} examples is within the {band} band for {task.ToString().ToLowerInvariant()}");
        }
        if (task == DataTask.Classification && classes is { } c)
        {
            advice += string.Create(CultureInfo.InvariantCulture, $"; {c} distinct labels, about {examples / Math.Max(1, c):N0} examples per label");
            if (c < 2) advice += " (a classifier needs at least 2 labels)";
            else if (c > 10) advice += " (the band assumes 5–10 classes; more classes need more examples)";
        }
        return new DataSufficiency(task, examples, low, high, verdict, advice);
    }
}
