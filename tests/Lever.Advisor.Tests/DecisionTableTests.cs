using Lever.Core.Prices;
using Lever.Advisor;
using Lever.Advisor.Internal;
using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

/// <summary>
/// Workloads written from the issue's rules (not from the engine's output), each with the primary the rules
/// call for. A change of policy defaults or rule order that breaks one of these is a change in advice.
/// </summary>
public sealed class DecisionTableTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "large weekly-changing knowledge with wrong facts", "rag", """
            task: {kind: qa, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 2000000, changes: weekly}
            """ },
        { "small knowledge that changes daily", "rag", """
            task: {kind: qa, symptoms: [outdated_facts]}
            knowledge: {corpus_tokens: 10000, changes: daily}
            """ },
        { "small stable knowledge, low volume: system prompt", "prompt", """
            task: {kind: chat, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 8000, changes: never}
            workload: {requests_per_month: 5000}
            """ },
        { "small stable knowledge, high volume, large shared prefix: caching", "prompt_caching", """
            task: {kind: chat, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 20000, changes: yearly}
            workload: {requests_per_month: 200000, input_tokens: 900, shared_prefix_tokens: 500}
            """ },
        { "small stable knowledge but per-user permissions", "rag", """
            task: {kind: qa, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 5000, changes: yearly, per_user_permissions: true}
            """ },
        { "citations required", "rag", """
            task: {kind: qa}
            knowledge: {corpus_tokens: 15000, changes: never, citations_required: true}
            """ },
        { "behaviour gap with enough data and volume", "fine_tune_lora", """
            task: {kind: generation, symptoms: [inconsistent_format]}
            data: {labeled_examples: 300}
            workload: {requests_per_month: 50000}
            """ },
        { "behaviour gap without data: few-shot prompting", "prompt", """
            task: {kind: generation, symptoms: [wrong_tone]}
            data: {labeled_examples: 20}
            workload: {requests_per_month: 50000}
            """ },
        { "classification below the 500-example minimum", "prompt", """
            task: {kind: classification, classes: 8, symptoms: [inconsistent_format]}
            data: {labeled_examples: 300}
            workload: {requests_per_month: 50000}
            """ },
        { "knowledge and behaviour gaps together", "hybrid", """
            task: {kind: qa, symptoms: [wrong_facts, inconsistent_format]}
            knowledge: {corpus_tokens: 2000000, changes: weekly}
            data: {labeled_examples: 1000}
            workload: {requests_per_month: 50000}
            """ },
        { "on-prem 70B on a 48 GB GPU", "fine_tune_qlora", """
            task: {kind: extraction, symptoms: [inconsistent_format]}
            data: {labeled_examples: 2000}
            workload: {requests_per_month: 100000}
            constraints: {deployment: on_prem, gpu_memory_gb: 48, one_time_budget_usd: 20000}
            model: {current: gpt-4o, self_hosted_params_b: 70}
            """ },
        { "on-prem 7B on a 24 GB GPU", "fine_tune_lora", """
            task: {kind: extraction, symptoms: [inconsistent_format]}
            data: {labeled_examples: 2000}
            workload: {requests_per_month: 100000}
            constraints: {deployment: on_prem, gpu_memory_gb: 24}
            model: {self_hosted_params_b: 7}
            """ },
        { "too expensive at a million requests a month", "distill", """
            task: {kind: classification, classes: 6, symptoms: [too_expensive]}
            workload: {requests_per_month: 1000000, input_tokens: 500, output_tokens: 10}
            """ },
        { "too expensive at low volume: distillation does not pay", "prompt", """
            task: {kind: classification, classes: 6, symptoms: [too_expensive]}
            workload: {requests_per_month: 2000}
            """ },
        { "ignores instructions: prompt gap", "prompt", """
            task: {kind: generation, symptoms: [ignores_instructions]}
            data: {labeled_examples: 5000}
            """ },
        { "domain vocabulary with a large corpus and budget", "continued_pretraining", """
            task: {kind: generation, symptoms: [domain_vocabulary]}
            data: {unlabeled_domain_tokens: 500000000, labeled_examples: 1000}
            constraints: {one_time_budget_usd: 50000}
            """ },
        { "unsupported language, huge corpus and budget", "train_from_scratch", """
            task: {kind: chat, symptoms: [unsupported_language]}
            data: {unlabeled_domain_tokens: 50000000000}
            constraints: {one_time_budget_usd: 2000000}
            """ },
        { "unsupported language, mid-size corpus", "continued_pretraining", """
            task: {kind: chat, symptoms: [unsupported_language]}
            data: {unlabeled_domain_tokens: 300000000}
            constraints: {one_time_budget_usd: 50000}
            """ },
        { "expected gain below 5 points", "prompt", """
            task: {kind: generation, symptoms: [inconsistent_format]}
            data: {labeled_examples: 300}
            workload: {requests_per_month: 50000}
            quality: {expected_fine_tune_gain_points: 2}
            """ },
        { "major behaviour change with data, gain and budget", "fine_tune_full", """
            task: {kind: classification, classes: 10, symptoms: [inconsistent_format]}
            data: {labeled_examples: 20000}
            workload: {requests_per_month: 300000}
            constraints: {deployment: on_prem, gpu_memory_gb: 80, one_time_budget_usd: 100000}
            quality: {expected_fine_tune_gain_points: 15}
            model: {self_hosted_params_b: 8}
            """ },
        { "no gap, low volume", "prompt", """
            task: {kind: qa, symptoms: [none]}
            workload: {requests_per_month: 3000}
            """ },
        { "high compliance keeps data out of the weights", "prompt", """
            task: {kind: classification, classes: 6, symptoms: [too_expensive]}
            workload: {requests_per_month: 1000000, input_tokens: 500, output_tokens: 10}
            constraints: {compliance: high}
            """ },
        { "tight latency, no knowledge: small distilled model", "distill", """
            task: {kind: classification, classes: 5}
            workload: {requests_per_month: 50000, latency_p95_ms: 400, output_tokens: 5}
            """ },
        { "no complaint, 200k requests, large shared prefix: caching", "prompt_caching", """
            task: {kind: chat, symptoms: [none]}
            workload: {requests_per_month: 200000, input_tokens: 3000, shared_prefix_tokens: 2500}
            """ },
        { "no complaint but two million requests a month: distillation pays", "distill", """
            task: {kind: classification, classes: 7}
            workload: {requests_per_month: 2000000, input_tokens: 400, output_tokens: 5}
            """ },
        { "too slow, on-prem knowledge workload stays with retrieval", "rag", """
            task: {kind: qa, symptoms: [too_slow, outdated_facts]}
            knowledge: {corpus_tokens: 800000, changes: daily}
            constraints: {deployment: on_prem}
            """ },
        { "high compliance with a behaviour gap still fine-tunes", "fine_tune_lora", """
            task: {kind: extraction, symptoms: [inconsistent_format]}
            data: {labeled_examples: 3000}
            constraints: {compliance: high}
            """ },
        { "declared gain larger than the headroom above today's accuracy", "prompt", """
            task: {kind: generation, symptoms: [wrong_tone]}
            data: {labeled_examples: 400}
            workload: {requests_per_month: 3000}
            quality: {current_accuracy: 0.97, expected_fine_tune_gain_points: 10}
            """ },
        { "behaviour gap at exploration volume", "prompt", """
            task: {kind: generation, symptoms: [inconsistent_format]}
            data: {labeled_examples: 400}
            workload: {requests_per_month: 3000}
            """ },
        { "behaviour gap at low volume but a 10-point expected gain", "fine_tune_lora", """
            task: {kind: generation, symptoms: [wrong_tone]}
            data: {labeled_examples: 400}
            workload: {requests_per_month: 3000}
            quality: {expected_fine_tune_gain_points: 10}
            """ },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Workload_gets_the_primary_the_rules_call_for(string name, string expected, string yaml)
    {
        var advice = Advise(yaml);
        Assert.True(expected == Names.Snake(advice.Primary), $"{name}: expected {expected}, got {Names.Snake(advice.Primary)}\n{string.Join("\n", advice.Rationale.Select(r => r.Text))}");
        Assert.Contains(advice.Options, o => o.Lever == advice.Primary && o.BreakEvenNote == "primary");
        Assert.NotEmpty(advice.Rationale);
        Assert.NotEmpty(advice.Plan);
    }

    [Fact]
    public void Fine_tuning_for_facts_is_warned_against()
    {
        var advice = Advise("""
            task: {kind: qa, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 2000000, changes: weekly}
            data: {labeled_examples: 5000}
            """);
        Assert.Equal(LeverKind.Rag, advice.Primary);
        Assert.Contains(advice.Warnings, w => w.Contains("Do not fine-tune to add facts", StringComparison.Ordinal));
    }

    [Fact]
    public void When_distillation_does_not_pay_yet_the_plan_names_its_break_even_volume()
    {
        var advice = Advise("task: {kind: classification, classes: 6, symptoms: [too_expensive]}\nworkload: {requests_per_month: 2000}\n");
        Assert.Equal(LeverKind.Prompt, advice.Primary);
        var distill = advice.Options.Single(o => o.Lever == LeverKind.Distill);
        Assert.NotNull(distill.BreakEvenRequestsPerMonth);
        var v = distill.BreakEvenRequestsPerMonth!.Value.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(advice.Plan, s => s.Contains($"breaks even at ≈{v} requests/month", StringComparison.Ordinal));
    }

    [Fact]
    public void High_compliance_fine_tune_plan_includes_registry_audit_and_drift()
    {
        var advice = Advise("""
            task: {kind: extraction, symptoms: [inconsistent_format]}
            data: {labeled_examples: 3000}
            workload: {requests_per_month: 100000}
            constraints: {compliance: high}
            """);
        Assert.Equal(LeverKind.FineTuneLora, advice.Primary);
        var plan = string.Join(" ", advice.Plan);
        Assert.Contains("register", plan, StringComparison.Ordinal);
        Assert.Contains("audit trail", plan, StringComparison.Ordinal);
        Assert.Contains("drift", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Insufficient_data_plan_says_how_many_more_to_collect()
    {
        var advice = Advise("""
            task: {kind: classification, classes: 8, symptoms: [inconsistent_format]}
            data: {labeled_examples: 120}
            workload: {requests_per_month: 50000}
            """);
        Assert.Equal(LeverKind.Prompt, advice.Primary);
        Assert.False(advice.DataSufficiency.Sufficient);
        Assert.Equal(380, advice.DataSufficiency.MissingExamples);
        Assert.Contains(advice.Plan, s => s.Contains("Collect 380 more", StringComparison.Ordinal));
    }

    /// <summary>
    /// Advises on <paramref name="yaml"/> as of <see cref="DecisionSet.OffersOpen"/>: these workloads were written while
    /// OpenAI's hosted fine-tuning was open to everyone, and they keep testing the rules with that offer available
    /// (DecisionSetTests and OfferAvailabilityTests cover the dates after it closed).
    /// </summary>
    internal static Advice Advise(string yaml, PriceBook? prices = null, AdvisorPolicy? policy = null) =>
        Advisor.Advise(WorkloadReader.Parse("w.yaml", yaml), prices ?? PriceBook.Default, policy ?? AdvisorPolicy.Default, [], DecisionSet.OffersOpen);
}
