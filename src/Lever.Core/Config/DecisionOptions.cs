using System.ComponentModel.DataAnnotations;

namespace Lever.Core.Config;

/// <summary>
/// lever.yaml's <c>decision:</c> section: the settings the lab and the advisor share, so both decide with the same
/// tolerance. <see cref="Load"/> also refuses the names it replaced, with the rename as the fix.
/// </summary>
public sealed class DecisionOptions
{
    /// <summary>Name of the lever.yaml section.</summary>
    public const string SectionName = "decision";

    /// <summary>The default tolerance in points when lever.yaml sets none.</summary>
    public const double DefaultTolerancePoints = 1.0;

    /// <summary>
    /// Quality points (accuracy or macro-F1 × 100) below which a measured difference is no gain: a more complex recipe
    /// counts as better only when its gain exceeds this and its 95% interval excludes zero (default 1.0).
    /// </summary>
    [Range(0, 100)]
    public double TolerancePoints { get; set; } = DefaultTolerancePoints;

    /// <summary>The old names of <see cref="TolerancePoints"/>: (lever.yaml path, what it was).</summary>
    public static IReadOnlyList<string> RenamedPaths { get; } = ["lab.tolerance_accuracy_points", "evidence.accuracy_tie_points"];

    /// <summary>The <c>decision:</c> section of <paramref name="config"/> (defaults when absent); an old name anywhere in the file is refused at its line.</summary>
    public static DecisionOptions Load(LeverConfig config)
    {
        foreach (var old in RenamedPaths)
        {
            if (Find(config.Root, old) is { } node) throw Renamed(node);
        }
        return config.Section<DecisionOptions>(SectionName) ?? new DecisionOptions();
    }

    /// <summary>The error for an old tolerance name at <paramref name="node"/>: file:line, the field, and the new name as the fix.</summary>
    public static LeverUserException Renamed(YamlNode node) =>
        node.Error("renamed: the one tolerance of the lab and the advisor is now decision.tolerance_points",
            $"move it to a top-level section `decision:` as `tolerance_points: {node.Value ?? "1.0"}` (docs/ADVISOR.md, 'Tolerance')");

    private static YamlNode? Find(YamlNode root, string dotted)
    {
        var at = root;
        foreach (var part in dotted.Split('.'))
        {
            if (!at.IsMapping || at.Field(part) is not { } next) return null;
            at = next;
        }
        return at;
    }
}
