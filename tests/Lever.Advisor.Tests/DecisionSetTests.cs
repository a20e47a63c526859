using Lever.Advisor.Internal;
using Lever.Core.Prices;

namespace Lever.Advisor.Tests;

/// <summary>Runs the advisor over the decision test set (<see cref="DecisionSet"/>): every case gets the lever its rule calls for.</summary>
public sealed class DecisionSetTests
{
    public static TheoryData<string> CaseNames() => [.. DecisionSet.All.Select(c => c.Name)];

    [Fact]
    public void The_set_has_at_least_thirty_workloads_each_citing_a_seed_rule()
    {
        Assert.True(DecisionSet.All.Count >= 30, $"{DecisionSet.All.Count} cases");
        Assert.Equal(DecisionSet.All.Count, DecisionSet.All.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(DecisionSet.All, c => Assert.StartsWith("seed 00", c.Rule, StringComparison.Ordinal));
        Assert.True(DecisionSet.All.Count(c => c.Evidence.Count > 0) >= 7, "the measured-evidence cases of the issue");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_workload_gets_the_lever_its_rule_calls_for(string name)
    {
        var c = DecisionSet.All.Single(x => x.Name == name);
        var advice = Advise(c);
        Assert.True(c.Expected == Names.Snake(advice.Primary),
            $"{c.Name}: expected {c.Expected} ({c.Rule}), got {Names.Snake(advice.Primary)}\n{string.Join("\n", advice.Rationale.Select(r => $"{r.Rule}: {r.Text}"))}");
    }

    internal static Advice Advise(DecisionSet.Case c) =>
        Advisor.Advise(WorkloadReader.Parse("w.yaml", c.Workload), PriceBook.Default, AdvisorPolicy.Default, DecisionSet.Evidence(c.Evidence), c.Today);
}
