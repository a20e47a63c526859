namespace Lever.Evals.Recipes;

/// <summary>Which scorers run, and their settings. The first scorer decides pass/fail.</summary>
public sealed class ScoringOptions
{
    /// <summary>
    /// Scorer names: exact, normalized, label, token_f1, contains, answer, regex, json, numeric, citation, judge.
    /// Empty picks from the parser: label → label; json → json; text → normalized, token_f1.
    /// </summary>
    public List<string> Scorers { get; set; } = [];

    /// <summary>Absolute tolerance for <c>numeric</c>.</summary>
    public double NumericTolerance { get; set; } = 1e-6;

    /// <summary>Relative tolerance for <c>numeric</c> (fraction of the expected value).</summary>
    public double NumericRelativeTolerance { get; set; }

    /// <summary>Token F1 at or above this counts as a pass.</summary>
    public double TokenF1Pass { get; set; } = 0.5;

    /// <summary>Provider for the <c>judge</c> scorer.</summary>
    public string? JudgeProvider { get; set; }

    /// <summary>Rubric for the <c>judge</c> scorer.</summary>
    public string? JudgeRubric { get; set; }
}
