using Lever.Core.Levers;
using Lever.Core.Prices;

namespace Lever.Advisor.Tests;

/// <summary>Hosted fine-tuning offers carry availability; with an injected clock, a closed or closing one is never planned.</summary>
public sealed class OfferAvailabilityTests
{
    private const string FormatGap = """
        task: {kind: extraction, symptoms: [inconsistent_format]}
        data: {labeled_examples: 3000}
        workload: {requests_per_month: 200000}
        """;

    private static Advice On(DateOnly today, string yaml = FormatGap) =>
        Advisor.Advise(WorkloadReader.Parse("w.yaml", yaml), PriceBook.Default, AdvisorPolicy.Default, [], today);

    [Fact]
    public void The_price_book_dates_OpenAIs_hosted_fine_tuning_with_its_source()
    {
        var t = PriceBook.Default.Training("gpt-4o-mini")!;
        Assert.Equal(new DateOnly(2027, 1, 6), t.NewJobsUntil);
        Assert.Null(t.InferenceUntil);
        Assert.Contains("OpenAI deprecations page", t.AvailabilitySource, StringComparison.Ordinal);
        Assert.Null(t.Unavailable(new DateOnly(2026, 3, 1), 91));
        Assert.Contains("is closing", t.Unavailable(new DateOnly(2026, 12, 2), 91), StringComparison.Ordinal);      // 35 days left
        Assert.Contains("is closed", t.Unavailable(new DateOnly(2027, 1, 6), 91), StringComparison.Ordinal);
        Assert.Contains("is closed", t.Unavailable(new DateOnly(2027, 2, 1), 91), StringComparison.Ordinal);
        Assert.Equal(6.00, PriceBook.Default.Model("claude-sonnet-4.5")!.CacheWrite1h);                             // 2× the $3 input
        Assert.Equal(131, PriceBook.Default.Model("gpt-4o")!.Latency!.OutputTokensPerSecondMedian);
    }

    [Fact]
    public void While_the_offer_is_open_the_plan_uses_it()
    {
        var a = On(new DateOnly(2026, 3, 1));
        Assert.Equal(LeverKind.FineTuneLora, a.Primary);
        Assert.Equal("ft:gpt-4o-mini", a.PrimaryOption.Model);
        Assert.Contains(a.Plan, s => s.Contains("gpt-4o-mini (hosted fine-tuning)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(2026, 12, 2)]   // closing: 35 days before no new jobs, less than one retraining cycle
    [InlineData(2027, 1, 6)]
    [InlineData(2027, 2, 1)]
    public void A_closed_or_closing_offer_is_never_planned_and_Levers_own_fine_tuning_is_with_its_cost(int y, int m, int d)
    {
        var a = On(new DateOnly(y, m, d));
        Assert.Equal(LeverKind.FineTuneLora, a.Primary);
        Assert.DoesNotContain(a.Options, o => o.Model.StartsWith("ft:", StringComparison.Ordinal));
        Assert.Equal("self-hosted", a.PrimaryOption.Route);
        var plan = string.Join("\n", a.Plan);
        Assert.DoesNotContain("(hosted fine-tuning)", plan, StringComparison.Ordinal);
        var own = Assert.Single(a.Plan, s => s.StartsWith("Train with Lever's own fine-tuning", StringComparison.Ordinal));
        Assert.Contains("a training run", own, StringComparison.Ordinal);
        Assert.Contains("2027-01-06", own, StringComparison.Ordinal);
        Assert.Contains(a.Warnings, w => w.StartsWith("Not planned: hosted fine-tuning of gpt-4o-mini", StringComparison.Ordinal));
        Assert.Equal(new DateOnly(y, m, d), a.Today);

        // Distillation's student is trained by Lever too.
        var distill = On(new DateOnly(y, m, d), "task: {kind: classification, classes: 6, symptoms: [too_expensive]}\nworkload: {requests_per_month: 5000000, input_tokens: 500, output_tokens: 10}\n");
        Assert.Equal(LeverKind.Distill, distill.Primary);
        Assert.Equal("self-hosted", distill.PrimaryOption.Route);
        Assert.DoesNotContain("fine-tune gpt-4o-mini on them", string.Join("\n", distill.Plan), StringComparison.Ordinal);
    }
}
