namespace Lever.Lab.Import;

/// <summary>
/// Where a row count sits in the data-size table of the seed article on the three levers ("How much data do you
/// need?"): style/format 50–500 examples, domain classification with 5–10 classes 500–2,000, extraction or
/// transformation 1,000–10,000, a major behavioural change 10,000+. Quality matters more than quantity (the same
/// article: 500 carefully labelled examples often beat 5,000 noisy ones), so this is a band, not a gate.
/// </summary>
/// <param name="Goal">The table's row that applies.</param>
/// <param name="Low">Its lower bound.</param>
/// <param name="High">Its upper bound (null: open-ended).</param>
/// <param name="Rows">The rows there are.</param>
/// <param name="Note">What it means for this data, in one sentence.</param>
public sealed record Sufficiency(string Goal, int Low, int? High, int Rows, string Note)
{
    /// <summary>Below the band's lower bound.</summary>
    public bool Below => Rows < Low;

    /// <summary>The band for <paramref name="task"/> with <paramref name="rows"/> rows and <paramref name="classes"/> classes.</summary>
    public static Sufficiency For(string task, int rows, int classes)
    {
        var (goal, low, high) = task == LabTasks.Classification
            ? ("domain classification (5–10 classes)", 500, (int?)2000)
            : ("extraction or transformation", 1000, (int?)10000);
        var where = rows < low ? "below" : high is { } h && rows > h ? "above" : "within";
        var note = where switch
        {
            "below" => "below the seeds' band: prompts, few-shot and retrieval rows have the best chance; fine-tunes may underfit (the lab measures both)",
            "above" => "above the seeds' band: enough for fine-tuning; label quality matters more than more rows",
            _ => "within the seeds' band for fine-tuning",
        };
        if (task == LabTasks.Classification && classes is > 0 and < 5) note += $"; the band is stated for 5–10 classes, this data has {classes}";
        if (task == LabTasks.Classification && classes > 10) note += $"; the band is stated for 5–10 classes, this data has {classes}: expect to need more rows";
        return new Sufficiency(goal, low, high, rows, note);
    }
}
