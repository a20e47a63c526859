using Lever.Core;

namespace Lever.Lab.Tests;

/// <summary>decision.tolerance_points is the lab's tolerance (and the advisor's); the old lab name fails with the rename.</summary>
public sealed class DecisionToleranceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lever-lab-tolerance").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LabConfiguration Load(string yaml)
    {
        File.WriteAllText(Path.Combine(_root, "lever.yaml"), yaml);
        return LabConfiguration.Load(Workspace.Open(_root));
    }

    [Fact]
    public void The_lab_reads_the_one_tolerance_from_the_decision_section()
    {
        Assert.Equal(1.0, Load("lab:\n  compute:\n    requests_per_month: 5\n").Options.ToleranceAccuracyPoints);
        Assert.Equal(2.5, Load("lab:\n  compute:\n    requests_per_month: 5\ndecision:\n  tolerance_points: 2.5\n").Options.ToleranceAccuracyPoints);
    }

    [Fact]
    public void The_old_lab_name_fails_with_a_rename_hint_at_its_line()
    {
        var ex = Assert.Throws<LeverUserException>(() => Load("lab:\n  compute:\n    requests_per_month: 5\n  tolerance_accuracy_points: 0.5\n"));
        Assert.EndsWith("lever.yaml:4:30: lab.tolerance_accuracy_points: renamed: the one tolerance of the lab and the advisor is now decision.tolerance_points", ex.Message);
        Assert.Contains("tolerance_points: 0.5", ex.Hint, StringComparison.Ordinal);
        var range = Assert.Throws<LeverUserException>(() => Load("lab:\n  compute:\n    requests_per_month: 5\ndecision:\n  tolerance_points: -1\n"));
        Assert.Contains("decision.tolerance_points", range.Message, StringComparison.Ordinal);
    }
}
