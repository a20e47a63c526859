using Lever.Core;

namespace Lever.Advisor.Tests;

/// <summary>decision.tolerance_points is the advisor's tolerance (and the lab's); evidence.accuracy_tie_points fails with the rename.</summary>
public sealed class ToleranceTests
{
    [Fact]
    public void The_old_policy_name_fails_with_a_rename_hint_at_its_line()
    {
        var ex = Assert.Throws<LeverUserException>(() => AdvisorPolicy.Default.WithYaml("my-policy.yaml", "evidence:\n  gap_min_share: 0.3\n  accuracy_tie_points: 2\n"));
        Assert.StartsWith("my-policy.yaml:3:24: policy field 'evidence.accuracy_tie_points'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("renamed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("decision.tolerance_points", ex.Message, StringComparison.Ordinal);
        Assert.Contains("tolerance_points: 2", ex.Hint, StringComparison.Ordinal);
        Assert.Equal(2, AdvisorPolicy.Default.WithYaml("p.yaml", "decision:\n  tolerance_points: 2\n")["decision.tolerance_points"]);
    }

    [Fact]
    public void Lever_yaml_decision_section_sets_the_advisor_tolerance_and_refuses_the_old_lab_name()
    {
        var dir = Directory.CreateTempSubdirectory("lever-advise-tol").FullName;
        try
        {
            var yaml = Path.Combine(dir, "lever.yaml");
            File.WriteAllText(yaml, "decision:\n  tolerance_points: 3\nworkload:\n  task: {kind: qa}\n");
            var inputs = AdvisorInputs.Load(null, yaml, null);
            Assert.Equal(3, inputs.Policy["decision.tolerance_points"]);
            Assert.Contains("decision:", inputs.Policy.Origin, StringComparison.Ordinal);
            Assert.Equal(1, AdvisorPolicy.Default["decision.tolerance_points"]);
            File.WriteAllText(yaml, "lab:\n  tolerance_accuracy_points: 1.5\nworkload:\n  task: {kind: qa}\n");
            var ex = Assert.Throws<LeverUserException>(() => AdvisorInputs.Load(null, yaml, null));
            Assert.Contains("lever.yaml:2:30: lab.tolerance_accuracy_points: renamed", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
