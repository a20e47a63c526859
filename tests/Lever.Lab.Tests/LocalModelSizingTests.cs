using System.Globalization;
using Lever.Lab.Recipes.Local;

namespace Lever.Lab.Tests;

/// <summary>
/// The sizing function at the rows of docs/LAB.md's table (between <c>sizing:begin</c> and <c>sizing:end</c>): the
/// documented choices are exactly what the code returns, so the two cannot drift apart.
/// </summary>
public sealed class LocalModelSizingTests
{
    [Fact]
    public void Every_row_of_the_documented_table_is_what_the_function_returns()
    {
        var rows = DocumentedRows();
        Assert.True(rows.Count >= 6, $"docs/LAB.md's sizing table has {rows.Count} rows");
        var mismatches = new List<string>();
        foreach (var cells in rows)
        {
            var (n, tokens, minutes) = (Int(cells[0]), double.Parse(cells[1], CultureInfo.InvariantCulture), double.Parse(cells[2].Replace(",", ""), CultureInfo.InvariantCulture));
            var z = LocalModelSizing.Size(n, tokens, minutes * 60);
            var expected = Row(n, tokens, minutes, z);
            var documented = "| " + string.Join(" | ", cells) + " |";
            if (expected != documented) mismatches.Add($"documented {documented}\n   function {expected}");
        }
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Fact]
    public void The_default_budget_sizes_the_issues_six_class_set_to_the_tiny_preset_within_its_training_share()
    {
        // 2,000 short texts (≈ 30 tokens): the issue's 10-minute budget on 2 cores.
        var z = LocalModelSizing.Size(2000, 30, LocalModelSizing.DefaultBudgetMinutes * 60);
        Assert.Equal("tiny", z.Preset);
        Assert.True(z.EstimatedTrainSeconds <= LocalModelSizing.DefaultBudgetMinutes * 60 * LocalModelSizing.TrainingShare + 1, $"{z.EstimatedTrainSeconds} s");
        Assert.Equal(2 * z.FineTuneSteps, z.LoraSteps);
        Assert.Equal(96, z.SeqLen);   // 2 × 30 + 16 = 76, rounded up to a multiple of 32
    }

    [Fact]
    public void More_budget_never_means_fewer_steps_and_a_preset_is_kept_when_lever_yaml_fixes_it()
    {
        var small = LocalModelSizing.Size(5000, 200, 600);
        var large = LocalModelSizing.Size(5000, 200, 6000);
        Assert.True(large.PretrainSteps >= small.PretrainSteps && large.FineTuneSteps >= small.FineTuneSteps);
        Assert.Equal("small", LocalModelSizing.Size(5000, 200, 600, preset: "small").Preset);
        Assert.True(LocalModelSizing.Size(5000, 200, 600, preset: "small").PretrainSteps < small.PretrainSteps, "a slower preset buys fewer steps");
    }

    private static string Row(int n, double tokens, double minutes, LocalModelSize z) => string.Create(CultureInfo.InvariantCulture,
        $"| {n:N0} | {tokens:0.#} | {minutes:N0} | {z.Preset} | {z.SeqLen} | {z.PretrainSteps:N0} | {z.FineTuneSteps:N0} | {z.LoraSteps:N0} | {z.TokensPerParameter:0.##} | {z.PretrainEpochs:0.#} | {z.EstimatedTrainSeconds:N0} |");

    private static int Int(string cell) => int.Parse(cell.Replace(",", ""), CultureInfo.InvariantCulture);

    private static List<string[]> DocumentedRows()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lever.slnx"))) dir = dir.Parent;
        var text = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "LAB.md"));
        var start = text.IndexOf("<!-- sizing:begin -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- sizing:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/LAB.md has no sizing:begin/end table");
        return text[start..end].Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2]))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
    }
}
