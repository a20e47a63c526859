using Lever.Core.Prices;
using Lever.Advisor;
using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

/// <summary>Every cost figure against a hand computation from the price book's published prices and the policy defaults.</summary>
public sealed class CostModelTests
{
    private static LeverOption Option(Advice a, LeverKind lever) => a.Options.Single(o => o.Lever == lever);

    [Fact]
    public void Prompt_only_is_tokens_times_list_price()
    {
        var a = DecisionTableTests.Advise("task: {kind: qa}\nworkload: {requests_per_month: 20000, input_tokens: 800, output_tokens: 200}\n");
        var o = Option(a, LeverKind.Prompt);
        // gpt-4o: $2.50 in, $10 out per 1M → (800×2.5 + 200×10)/1e6 = $0.004 per answer.
        Assert.Equal(4.00, o.CostPer1kAnswersUsd, 9);
        Assert.Equal(80.0, o.MonthlyUsd, 9);
        Assert.Equal(2 * 600, o.OneTimeUsd, 9);             // policy engineering.prompt_days × usd_per_day
        Assert.Equal(1200 + 12 * 80, o.Tco12MonthsUsd, 9);
        Assert.Contains("OpenAI pricing; LiteLLM table, 2026-11", o.Usage.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Caching_charges_the_write_premium_where_listed_and_reads_at_the_cached_price()
    {
        var a = DecisionTableTests.Advise("""
            task: {kind: chat}
            workload: {requests_per_month: 50000, input_tokens: 3000, output_tokens: 100, shared_prefix_tokens: 2500}
            model: {current: claude-sonnet-4.5}
            """);
        // 730 h × 60 / 5-minute TTL = 8,760 cache writes at $3.75/1M (1.25× input); the other 41,240 read at $0.30/1M.
        var fiveMinute = (50_000 * (500 * 3.0 + 100 * 15.0) + 8_760 * 2_500 * 3.75 + 41_240 * 2_500 * 0.30) / 1e6;
        // Issue 15 added Anthropic's 1-hour writes at $6.00/1M (2× input): 730 writes, 49,270 reads — cheaper here, so priced.
        var oneHour = (50_000 * (500 * 3.0 + 100 * 15.0) + 730 * 2_500 * 6.0 + 49_270 * 2_500 * 0.30) / 1e6;
        Assert.True(oneHour < fiveMinute);
        var caching = Option(a, LeverKind.PromptCaching);
        Assert.Equal(oneHour, caching.MonthlyUsd, 6);
        Assert.Contains("1-hour write price (2× input", caching.Usage.Basis, StringComparison.Ordinal);
        Assert.Equal(50_000 * (3000 * 3.0 + 100 * 15.0) / 1e6, Option(a, LeverKind.Prompt).MonthlyUsd, 6);
        Assert.Equal(LeverKind.PromptCaching, a.Primary);
    }

    [Fact]
    public void Caching_without_a_listed_cached_price_reads_at_ten_percent_and_writes_at_input()
    {
        var prices = PriceBook.Default.WithOverrides("lever.yaml", "prices:\n  models:\n    house-model: {input: 1.0, output: 2.0, source: contract, date: 2026-10}\n");
        var a = DecisionTableTests.Advise("""
            task: {kind: chat}
            workload: {requests_per_month: 50000, input_tokens: 2000, output_tokens: 100, shared_prefix_tokens: 2000}
            model: {current: house-model}
            """, prices);
        var expected = (50_000 * (0 * 1.0 + 100 * 2.0) + 8_760 * 2_000 * 1.0 + 41_240 * 2_000 * 0.10) / 1e6;
        Assert.Equal(expected, Option(a, LeverKind.PromptCaching).MonthlyUsd, 6);
        Assert.Contains("house-model (contract, 2026-10)", Option(a, LeverKind.Prompt).Usage.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Rag_adds_retrieved_context_query_embeddings_index_hosting_and_reembedding()
    {
        var a = DecisionTableTests.Advise("""
            task: {kind: qa, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 2000000, changes: weekly}
            workload: {requests_per_month: 20000, input_tokens: 800, output_tokens: 200}
            """);
        var rag = Option(a, LeverKind.Rag);
        // 5 chunks × 400 tokens of context; text-embedding-3-small $0.02/1M for queries and corpus.
        Assert.Equal(20_000 * (2_800 * 2.5 + 200 * 10.0) / 1e6 + 20_000 * 800 * 0.02 / 1e6, rag.Usage.Usd, 9);
        Assert.Equal(2_000_000 * 0.02 / 1e6 + 5 * 600, rag.OneTimeUsd, 9);
        var reembed = 2_000_000 * 0.05 * (52.0 / 12) * 0.02 / 1e6;
        var hosting = 2 * 730 * 0.04;                       // 2 vCPU × 730 h × midpoint of $0.03–0.05
        Assert.Equal(reembed + hosting, rag.MonthlyFixed.Sum(i => i.Usd), 9);
    }

    [Fact]
    public void Hosted_fine_tune_prices_training_tokens_and_fine_tuned_inference()
    {
        var a = DecisionTableTests.Advise("""
            task: {kind: generation, symptoms: [inconsistent_format]}
            data: {labeled_examples: 300}
            workload: {requests_per_month: 50000, input_tokens: 800, output_tokens: 200}
            """);
        var ft = Option(a, LeverKind.FineTuneLora);
        Assert.Equal("ft:gpt-4o-mini", ft.Model);
        var training = 300 * 1000 * 3 / 1e6 * 3.00;         // examples × tokens × 3 epochs × $3/1M (gpt-4o-mini)
        Assert.Equal(2 * 600 + training, ft.OneTimeUsd, 9);
        Assert.Equal(50_000 * (800 * 0.30 + 200 * 1.20) / 1e6, ft.Usage.Usd, 9);
        Assert.Equal(training * 4 / 12 + 100, ft.MonthlyFixed.Sum(i => i.Usd), 9);
    }

    [Fact]
    public void Missing_examples_are_priced_as_labelling()
    {
        var a = DecisionTableTests.Advise("task: {kind: extraction}\ndata: {labeled_examples: 400}\n");
        var ft = Option(a, LeverKind.FineTuneLora);
        var label = ft.OneTime.Single(i => i.Name == "label missing examples");
        Assert.Equal(600 * 0.5, label.Usd, 9);              // (1,000 − 400) × $0.50
    }

    [Fact]
    public void Self_hosted_training_is_flops_over_effective_gpu_throughput()
    {
        var a = DecisionTableTests.Advise("""
            task: {kind: generation, symptoms: [domain_vocabulary]}
            data: {unlabeled_domain_tokens: 500000000}
            constraints: {deployment: on_prem, gpu_memory_gb: 80, one_time_budget_usd: 100000}
            model: {self_hosted_params_b: 8}
            """);
        var cpt = Option(a, LeverKind.ContinuedPretraining).OneTime.Single(i => i.Name == "continued pre-training");
        // 6 × 8e9 × 5e8 FLOPs; full-parameter memory 8 × 16 B × 1.3 = 166 GB → 3 GPUs of 80 GB at 989 TFLOPS × 0.35.
        var hours = 6 * 8e9 * 5e8 / (3 * 989e12 * 0.35) / 3600;
        Assert.Equal(hours * 3 * 3.0, cpt.Usd, 6);
        Assert.Equal(LeverKind.ContinuedPretraining, a.Primary);
    }

    [Fact]
    public void Self_hosted_serving_keeps_one_replica_up_then_scales_with_tokens()
    {
        var low = DecisionTableTests.Advise("task: {kind: extraction}\nworkload: {requests_per_month: 1000, input_tokens: 1000, output_tokens: 200}\nconstraints: {deployment: on_prem}\n");
        var qlora = Option(low, LeverKind.FineTuneQlora);
        Assert.Equal(730 * 3.0, qlora.Usage.Usd, 6);        // floor: one 80 GB GPU all month at $3/h
        var high = DecisionTableTests.Advise("task: {kind: extraction}\nworkload: {requests_per_month: 100000000, input_tokens: 1000, output_tokens: 200}\nconstraints: {deployment: on_prem}\n");
        var perGpuHour = 2500 * 8 / 8.0 * 3600 * 0.5;       // tokens/s at 8B × utilisation
        Assert.Equal(1e8 * (200 + 1000 * 0.1) / perGpuHour * 3.0, Option(high, LeverKind.FineTuneQlora).Usage.Usd, 3);
    }

    [Fact]
    public void Distillation_pays_the_teacher_for_the_labels()
    {
        var a = DecisionTableTests.Advise("task: {kind: classification, classes: 6, symptoms: [too_expensive]}\nworkload: {requests_per_month: 1000000, input_tokens: 500, output_tokens: 10}\n");
        var teacher = Option(a, LeverKind.Distill).OneTime.Single(i => i.Name == "teacher labels");
        Assert.Equal(2000 * (500 * 2.5 + 10 * 10.0) / 1e6, teacher.Usd, 9);   // top of the classification band on gpt-4o
    }

    [Fact]
    public void Break_even_volumes_sit_where_the_curves_cross()
    {
        var a = DecisionTableTests.Advise("task: {kind: classification, classes: 6, symptoms: [too_expensive]}\nworkload: {requests_per_month: 1000000, input_tokens: 500, output_tokens: 10}\n");
        var main = a.PrimaryOption;
        var prompt = Option(a, LeverKind.Prompt);
        Assert.NotNull(prompt.BreakEvenRequestsPerMonth);
        var v = prompt.BreakEvenRequestsPerMonth!.Value;
        // Both linear here: solve one-time + 12 × (fixed + v × per-answer) analytically.
        var pPer = (500 * 2.5 + 10 * 10.0) / 1e6;
        var dPer = (500 * 0.30 + 10 * 1.20) / 1e6;
        var dFixed = main.MonthlyFixed.Sum(i => i.Usd);
        var analytic = (main.OneTimeUsd + 12 * dFixed - prompt.OneTimeUsd) / (12 * (pPer - dPer));
        Assert.Equal(analytic, v, analytic * 1e-6);
        Assert.Equal("dearer above " + v.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture) + "/month", prompt.BreakEvenNote);
    }

    [Fact]
    public void Unknown_current_model_is_a_user_error_naming_the_field()
    {
        var ex = Assert.Throws<Lever.Core.LeverUserException>(() => DecisionTableTests.Advise("task: {kind: qa}\nmodel: {current: my-llama}\n"));
        Assert.Contains("model.current", ex.Message, StringComparison.Ordinal);
        Assert.Contains("prices.models", ex.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_current_model_is_priced_on_gpu_hours()
    {
        var a = DecisionTableTests.Advise("task: {kind: qa}\nmodel: {current: my-llama, self_hosted_params_b: 8}\nworkload: {requests_per_month: 1000}\n");
        var prompt = Option(a, LeverKind.Prompt);
        Assert.Equal("self-hosted", prompt.Route);
        Assert.Equal(730 * 3.0, prompt.Usage.Usd, 6);
    }
}
