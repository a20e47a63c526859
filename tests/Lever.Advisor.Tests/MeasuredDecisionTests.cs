using Lever.Core.Levers;
using Lever.Core.Prices;

namespace Lever.Advisor.Tests;

/// <summary>
/// The measured decision on issue 15's figures: gains against the best simpler option with paired intervals, the
/// baseline as a lever, ties on cost within the latency noise, hosted estimates that local rows do not overwrite.
/// </summary>
public sealed class MeasuredDecisionTests
{
    private const string SpamWorkload = """
        task: {kind: classification, classes: 2}
        data: {labeled_examples: 3250}
        workload: {requests_per_month: 500000, input_tokens: 600, output_tokens: 2, latency_p95_ms: 200}
        constraints: {deployment: on_prem}
        """;

    private static Advice Spam(IReadOnlyList<DecisionSet.Recipe> recipes) =>
        Advisor.Advise(WorkloadReader.Parse("lever.yaml", SpamWorkload), PriceBook.Default, AdvisorPolicy.Default, DecisionSet.Evidence(recipes), DecisionSet.OffersOpen);

    [Fact]
    public void Spam_recommends_the_full_fine_tune_with_its_gain_over_the_best_non_fine_tuned_recipe_and_interval()
    {
        var a = Spam(DecisionSet.SpamLike(1.0));
        Assert.Equal(LeverKind.FineTuneFull, a.Primary);
        var full = a.Measured.Single(m => m.Recipe == "local-full-fine-tune");
        Assert.Equal("primary", full.Status);
        Assert.Equal("baseline-logreg", full.SimplerRecipe);              // 91.17% beats the kNN vote's 90.27%
        var g = full.GainVsSimpler!;
        Assert.Equal("mcnemar", g.Method);
        Assert.Equal((2684 - 2549) / 2796.0 * 100, g.Points, 6);          // +4.83 points
        Assert.InRange(g.Low!.Value, 3.5, 4.2);
        Assert.InRange(g.High!.Value, 5.4, 6.2);
        Assert.True(g.Demonstrated);
        Assert.Contains("+4.8 points [", a.Recommendation, StringComparison.Ordinal);
        Assert.Contains("'baseline-logreg' (baseline)", a.Recommendation, StringComparison.Ordinal);
        Assert.Contains("95.99% (95% CI", a.Recommendation, StringComparison.Ordinal);
        Assert.True(a.Recommendation.Length <= 300, a.Recommendation);

        // CPT + full (96.49%) vs full (95.99%): McNemar 35 vs 21 discordant, p ≈ 0.06 — no demonstrated gain.
        var cpt = a.Measured.Single(m => m.Recipe == "local-cpt-full-fine-tune");
        Assert.Equal("local-full-fine-tune", cpt.SimplerRecipe);
        Assert.InRange(cpt.GainVsSimpler!.PValue!.Value, 0.05, 0.09);
        Assert.False(cpt.GainVsSimpler.Demonstrated);
        Assert.Equal("tie", cpt.Status);
    }

    [Fact]
    public void Perturbing_every_latency_by_ten_percent_never_changes_the_primary_lever()
    {
        var rng = new Random(15);
        var names = DecisionSet.SpamLike(1).Select(r => r.Name).ToArray();
        for (var trial = 0; trial < 64; trial++)
        {
            // Corners first (every recipe at −10% or +10%), then random factors in [0.9, 1.1].
            var factors = names.ToDictionary(n => n, n => trial < 32
                ? ((trial >> Array.IndexOf(names, n)) & 1) == 1 ? 1.1 : 0.9
                : 0.9 + 0.2 * rng.NextDouble());
            var a = Spam(DecisionSet.SpamLike(1.0, n => factors[n]));
            Assert.True(a.Primary == LeverKind.FineTuneFull, $"trial {trial}: {LeverKinds.Name(a.Primary)} with {string.Join(", ", factors.Select(f => $"{f.Key} ×{f.Value:0.###}"))}");
        }
    }

    [Fact]
    public void A_local_row_never_sets_the_hosted_option_and_gpt_4o_is_estimated_from_its_benchmarked_speed()
    {
        var a = Spam(DecisionSet.SpamLike(1.0));
        var prompt = a.Options.Single(o => o.Lever == LeverKind.Prompt);
        Assert.Equal("gpt-4o", prompt.Model);
        Assert.True(prompt.LatencyP95Ms >= 500, $"{prompt.LatencyP95Ms} ms");
        Assert.Contains("Artificial Analysis", prompt.LatencyBasis, StringComparison.Ordinal);
        Assert.DoesNotContain("measured", prompt.Usage.Basis, StringComparison.Ordinal);   // the local zero-shot's 19 ms row is another model
        var tight = a.Rationale.Single(r => r.Rule == "latency.tight");
        Assert.True(tight.Numbers["estimated_ms"] >= 500);

        // A hosted row of the same model and route does set it.
        var hosted = new RecipeEvidence { Source = "s", Name = "gpt4o", Lever = LeverKind.Prompt, Accuracy = 0.9, Items = 100, CostPer1kUsd = 1.6, LatencyP95Ms = 820, ModelId = "openai/gpt-4o", Route = "api" };
        var b = Advisor.Advise(WorkloadReader.Parse("w.yaml", "task: {kind: classification, classes: 2}\n"), PriceBook.Default, AdvisorPolicy.Default, [hosted], DecisionSet.OffersOpen);
        Assert.Equal(820, b.Options.Single(o => o.Lever == LeverKind.Prompt).LatencyP95Ms);
        Assert.Equal(1.6, b.Options.Single(o => o.Lever == LeverKind.Prompt).CostPer1kAnswersUsd, 9);
    }

    [Fact]
    public void Baseline_within_tolerance_of_the_best_wins_and_the_advice_says_no_LLM_is_needed()
    {
        var c = DecisionSet.All.Single(x => x.Name == "baseline within tolerance of the best fine-tune");
        var a = DecisionSetTests.Advise(c);
        Assert.Equal(LeverKind.Baseline, a.Primary);
        Assert.Contains("no LLM needed", a.Recommendation, StringComparison.Ordinal);
        Assert.Contains(a.Rationale, r => r.Rule == "evidence.no_llm_needed");
        Assert.Equal(LeverKind.Baseline, a.PrimaryOption.Lever);
        Assert.Equal(0.0000015 * 500, a.PrimaryOption.MonthlyUsd, 12);
        Assert.True(a.Recommendation.Length <= 300, a.Recommendation);
    }

    [Fact]
    public void When_the_best_gain_is_smaller_than_its_interval_the_simpler_lever_stays()
    {
        var a = DecisionSetTests.Advise(DecisionSet.All.Single(x => x.Name == "gain smaller than its interval"));
        Assert.Equal(LeverKind.Prompt, a.Primary);
        var lora = a.Measured.Single(m => m.Lever == LeverKind.FineTuneLora);
        Assert.Equal("unpaired", lora.GainVsSimpler!.Method);
        Assert.Equal(4.17, lora.GainVsSimpler.Points, 2);
        Assert.True(lora.GainVsSimpler.Low < 0);
        Assert.False(lora.GainVsSimpler.Demonstrated);
        Assert.Contains(a.Rationale, r => r.Rule == "evidence.no_demonstrated_gain" && r.Text.Contains("mini-lora", StringComparison.Ordinal));
    }

    [Fact]
    public void The_distilled_student_wins_on_cost_at_equal_quality_and_says_so()
    {
        var a = DecisionSetTests.Advise(DecisionSet.All.Single(x => x.Name == "distilled student matches the frontier model at high volume"));
        Assert.Equal(LeverKind.Distill, a.Primary);
        Assert.Contains("no demonstrated difference", a.Recommendation, StringComparison.Ordinal);
        Assert.Contains("cheaper at this volume", a.Recommendation, StringComparison.Ordinal);
        Assert.Equal("lab/student", a.PrimaryOption.Model);       // priced as it ran, not as the generic hosted student
        Assert.Equal(0.02, a.PrimaryOption.CostPer1kAnswersUsd, 9);
    }

    [Fact]
    public void Weekly_changing_facts_exclude_the_measured_fine_tune()
    {
        var a = DecisionSetTests.Advise(DecisionSet.All.Single(x => x.Name == "weekly-changing facts: RAG even though a fine-tune was measured"));
        Assert.Equal(LeverKind.Rag, a.Primary);
        Assert.Equal("excluded", a.Measured.Single(m => m.Lever == LeverKind.FineTuneLora).Status);
        Assert.Contains(a.Rationale, r => r.Rule == "evidence.stale_weights");
    }

    [Fact]
    public void A_measured_prompt_on_todays_model_also_measures_prompt_caching()
    {
        var a = DecisionSetTests.Advise(DecisionSet.All.Single(x => x.Name == "long stable context: prompt caching beats retrieval"));
        Assert.Equal(LeverKind.PromptCaching, a.Primary);
        var cached = a.Measured.Single(m => m.Lever == LeverKind.PromptCaching);
        var prompt = a.Measured.Single(m => m.Lever == LeverKind.Prompt);
        Assert.Equal(prompt.Quality, cached.Quality);
        Assert.True(cached.CostPer1kUsd < prompt.CostPer1kUsd / 1.5);
        Assert.Equal(0, cached.GainVsSimpler!.Points, 9);          // the same answers
        Assert.Equal("worse", a.Measured.Single(m => m.Lever == LeverKind.Rag).Status);
    }

    [Fact]
    public void Evidence_files_may_carry_model_id_route_and_per_item_outcomes_for_paired_intervals()
    {
        const string Json = """
            {"recipes":[
              {"name":"p","lever":"prompt","accuracy":0.5,"items":4,"model_id":"openai/gpt-4o","route":"api","outcomes":{"a":true,"b":false,"c":true,"d":false}},
              {"name":"l","lever":"fine_tune_lora","accuracy":0.75,"items":4,"route":"self-hosted","outcomes":{"a":true,"b":{"correct":true,"score":0.9},"c":1,"d":0.2}}
            ]}
            """;
        var rs = EvidenceReader.Parse("s.json", Json);
        Assert.Equal(("openai/gpt-4o", "api"), (rs[0].ModelId, rs[0].Route));
        Assert.Equal(4, rs[1].Outcomes.Count);
        Assert.Equal(new ItemOutcome(true, 0.9), rs[1].Outcomes["b"]);
        Assert.Equal(new ItemOutcome(false, 0.2), rs[1].Outcomes["d"]);
        var a = Advisor.Advise(WorkloadReader.Parse("w.yaml", "task: {kind: classification, classes: 2}\n"), PriceBook.Default, AdvisorPolicy.Default, rs, DecisionSet.OffersOpen);
        var g = a.Measured.Single(m => m.Recipe == "l").GainVsSimpler!;
        Assert.Equal(("mcnemar", 4L, 25.0), (g.Method, g.Items, g.Points));   // b flips right: 1 discordant pair of 4
        Assert.False(g.Demonstrated);
        var bad = Assert.Throws<Lever.Core.LeverUserException>(() => EvidenceReader.Parse("s.json", """{"recipes":[{"name":"x","route":"cloud"}]}"""));
        Assert.Contains("field 'recipes[0].route': 'cloud' is not one of api | self-hosted", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_recommendation_sentence_fits_in_300_characters_on_every_case_of_the_set()
    {
        foreach (var c in DecisionSet.All)
        {
            var a = DecisionSetTests.Advise(c);
            Assert.True(a.Recommendation.Length is > 40 and <= 300, $"{c.Name}: {a.Recommendation.Length}: {a.Recommendation}");
            Assert.StartsWith(LeverKinds.Name(a.Primary), a.Recommendation, StringComparison.Ordinal);
            Assert.EndsWith(".", a.Recommendation, StringComparison.Ordinal);
        }
    }
}
