using Lever.Core.Prices;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

/// <summary>Measured evidence wins: failure categories, accuracy and cost from eval summaries replace declarations.</summary>
public sealed class EvidenceTests
{
    private const string EvalRun = """
        {"run":"2026-11-23-a1","recipe":"gpt4o-prompt","lever":"prompt","items":200,"completed":200,"failed":0,
         "metrics":{"accuracy":0.71,"macro_f1":0.66},"cost_usd":0.9,"latency_ms_p50":900,"latency_ms_p95":2100,
         "diagnosis":{"knowledge":40,"behaviour":12,"prompt":3,"capability":3}}
        """;

    private const string Lab = """
        {"recipes":[
          {"name":"gpt4o-prompt","lever":"prompt","accuracy":0.81,"macro_f1":0.8,"cost_per_1k_usd":4.1,"latency_ms_p95":2100},
          {"name":"mini-lora","lever":"fine_tune_lora","accuracy":0.955,"macro_f1":0.95,"cost_per_1k_usd":0.5,"latency_ms_p95":700},
          {"name":"4o-lora","lever":"fine_tune_full","accuracy":0.96,"cost_per_1k_usd":6.0},
          {"name":"tfidf","lever":"baseline","accuracy":0.7,"cost_per_1k_usd":0.0}
        ],"recommendation":{}}
        """;

    [Fact]
    public void Reads_an_eval_run_summary()
    {
        var r = EvidenceReader.Parse("runs/a1/summary.json", EvalRun).Single();
        Assert.Equal("gpt4o-prompt", r.Name);
        Assert.Equal("2026-11-23-a1", r.Run);
        Assert.Equal(LeverKind.Prompt, r.Lever);
        Assert.Equal(0.71, r.Accuracy);
        Assert.Equal(4.5, r.CostPer1kUsd!.Value, 9);          // $0.90 over 200 answers
        Assert.Equal(2100, r.LatencyP95Ms);
        Assert.Equal((40, 12, 3, 3), (r.KnowledgeFailures, r.BehaviourFailures, r.PromptFailures, r.CapabilityFailures));
    }

    [Fact]
    public void Reads_a_lab_summary_with_a_baseline_row()
    {
        var rs = EvidenceReader.Parse("lab/summary.json", Lab);
        Assert.Equal(4, rs.Count);
        Assert.Equal(LeverKind.Baseline, rs[3].Lever);
        Assert.Equal(LeverKind.FineTuneLora, rs[1].Lever);
        Assert.Equal(0.5, rs[1].CostPer1kUsd);
    }

    [Fact]
    public void A_lab_summarys_quality_is_the_recipes_quality_and_older_files_fall_back_to_accuracy()
    {
        const string withQuality = """{"recipes":[{"name":"r","lever":"rag","accuracy":0.5,"macro_f1":0.4,"quality":0.8,"cost_per_1k_usd":1}],"quality_metric":"token_f1"}""";
        // token_f1 is a mean score, not an accuracy: read as the in-process evidence hands it over (QualityScore, no accuracy).
        var scored = EvidenceReader.Parse("lab/summary.json", withQuality).Single();
        Assert.Equal(0.8, scored.Quality);
        Assert.Equal(0.8, scored.QualityScore);
        Assert.Null(scored.Accuracy);
        Assert.Null(scored.MacroF1);
        const string asAccuracy = """{"recipes":[{"name":"r","lever":"rag","accuracy":0.5,"macro_f1":0.4,"quality":0.8,"cost_per_1k_usd":1}],"quality_metric":"accuracy"}""";
        var accurate = EvidenceReader.Parse("lab/summary.json", asAccuracy).Single();
        Assert.Equal(0.8, accurate.Accuracy);
        Assert.Null(accurate.QualityScore);
        const string older = """{"recipes":[{"name":"r","lever":"rag","accuracy":0.5,"macro_f1":0.4,"cost_per_1k_usd":1}]}""";
        Assert.Equal(0.5, EvidenceReader.Parse("lab/summary.json", older).Single().Accuracy);
    }

    [Theory]
    [InlineData("task: {kind: classification, classes: 8, symptoms: [wrong_facts]}\n")]
    [InlineData("task: {kind: classification, classes: 2}\ndata: {labeled_examples: 3250}\nworkload: {requests_per_month: 500000, input_tokens: 600, output_tokens: 2}\n")]
    public void A_baseline_row_is_a_lever_the_advisor_can_choose_and_a_row_without_a_lever_is_not(string workload)
    {
        // Issue 15 changed this test: it asserted the baseline was never priced and never the winner. Typed as
        // LeverKind.Baseline it is now priced as measured and chosen when no LLM recipe is demonstrably better; a row
        // naming no lever still decides nothing.
        var w = WorkloadReader.Parse("w.yaml", workload);
        const string cheapBaseline = """
            {"recipes":[
              {"name":"gpt4o-prompt","lever":"prompt","accuracy":0.81,"cost_per_1k_usd":4.1},
              {"name":"mini-lora","lever":"fine_tune_lora","accuracy":0.955,"cost_per_1k_usd":0.5},
              {"name":"tfidf","lever":"baseline","accuracy":0.97,"cost_per_1k_usd":0.0000015}
            ]}
            """;
        var cases = new (string Json, LeverKind? Typed, LeverKind? Unstated)[]
        {
            (Lab, LeverKind.FineTuneLora, LeverKind.FineTuneLora),   // the 0.70 baseline is beaten by 25 points
            (cheapBaseline, LeverKind.Baseline, LeverKind.FineTuneLora),
            ("""{"recipes":[{"name":"tfidf","lever":"baseline","accuracy":0.9,"cost_per_1k_usd":0.001}]}""", null, null),
        };
        foreach (var (json, typedPrimary, unstatedPrimary) in cases)
        {
            var typed = EvidenceReader.Parse("lab/summary.json", json);
            var unstated = EvidenceReader.Parse("lab/summary.json", json.Replace("\"lever\":\"baseline\",", "", StringComparison.Ordinal));
            Assert.Contains(typed, e => e.Lever == LeverKind.Baseline);
            Assert.DoesNotContain(unstated, e => e.Lever == LeverKind.Baseline);
            var a = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, typed);
            var u = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, unstated);
            var baseline = Assert.Single(a.Options, o => o.Lever == LeverKind.Baseline);
            Assert.Equal(typed.Single(e => e.Lever == LeverKind.Baseline).CostPer1kUsd!.Value, baseline.CostPer1kAnswersUsd, 12);
            Assert.DoesNotContain(u.Options, o => o.Lever == LeverKind.Baseline);
            if (typedPrimary is { } tp) Assert.Equal(tp, a.Primary);
            else Assert.NotEqual(LeverKind.Baseline, a.Primary);   // one lever measured: no measured decision
            if (unstatedPrimary is { } up) Assert.Equal(up, u.Primary);
        }
    }

    [Theory]
    [InlineData("""{"recipes":[{"name":"x","accuracy":"high"}]}""", "field 'recipes[0].accuracy': expected a number")]
    [InlineData("""{"recipes":[{"name":"x","lever":"magic"}]}""", "field 'recipes[0].lever': 'magic' is not one of")]
    [InlineData("""{"recipe":"x","metrics":{"accuracy":81}}""", "field 'metrics.accuracy': 81 is out of range")]
    [InlineData("""{"recipe":"x","diagnosis":[1,2]}""", "field 'diagnosis' must be an object")]
    [InlineData("""{"recipe": """, "invalid JSON")]
    public void Bad_evidence_is_a_user_error_with_the_field(string json, string message)
    {
        var ex = Assert.Throws<LeverUserException>(() => EvidenceReader.Parse("s.json", json));
        Assert.StartsWith("s.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Measured_failure_categories_replace_declared_symptoms()
    {
        // Declared: a behaviour gap. Measured: mostly knowledge failures → the diagnosis follows the run.
        var w = WorkloadReader.Parse("w.yaml", "task: {kind: qa, symptoms: [wrong_tone]}\nknowledge: {corpus_tokens: 2000000, changes: weekly}\ndata: {labeled_examples: 0}\n");
        var a = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, EvidenceReader.Parse("runs/a1/summary.json", EvalRun));
        Assert.True(a.Diagnosis.KnowledgeGap);
        Assert.False(a.Diagnosis.BehaviourGap);                // 12 of 58 = 21% < 25%
        Assert.Contains("gpt4o-prompt", a.Diagnosis.Source, StringComparison.Ordinal);
        Assert.Equal(LeverKind.Rag, a.Primary);
        var rule = a.Rationale.First(r => r.Rule == "evidence.diagnosis");
        Assert.Equal(40, rule.Numbers["knowledge"]);
        Assert.Contains("runs/a1/summary.json", rule.Source, StringComparison.Ordinal);
        // Measured cost replaces the estimate for the prompt lever: $4.50 per 1k from the run.
        Assert.Equal(4.5, a.Options.Single(o => o.Lever == LeverKind.Prompt).CostPer1kAnswersUsd, 9);
        Assert.Equal(2100, a.Options.Single(o => o.Lever == LeverKind.Prompt).LatencyP95Ms);
    }

    [Fact]
    public void Measured_winner_decides_and_ties_go_to_the_cheaper_recipe()
    {
        // Declared symptoms point at RAG, but the runs measured the levers: LoRA 0.955 at $0.50/1k ties full FT 0.96 at $6/1k.
        var w = WorkloadReader.Parse("w.yaml", "task: {kind: classification, classes: 8, symptoms: [wrong_facts]}\n");
        var a = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, EvidenceReader.Parse("lab/summary.json", Lab));
        Assert.Equal(LeverKind.FineTuneLora, a.Primary);
        var rule = a.Rationale.Single(r => r.Rule == "evidence.measured_winner");
        Assert.Contains("mini-lora", rule.Text, StringComparison.Ordinal);
        Assert.Contains("4o-lora", rule.Text, StringComparison.Ordinal);
        Assert.Equal(0.955, rule.Numbers["winner_quality"]);
        Assert.Contains("measured by recipe 'mini-lora'", a.Options.Single(o => o.Lever == LeverKind.FineTuneLora).Usage.Basis, StringComparison.Ordinal);
        Assert.StartsWith("Ship the measured winner, recipe 'mini-lora'", a.Plan[0], StringComparison.Ordinal);
        var gain = a.Rationale.Single(r => r.Rule == "evidence.gain");
        Assert.Equal(15, gain.Numbers["gain_points"], 6);      // best tuned 0.96 − prompt 0.81
    }

    [Fact]
    public void Lever_yaml_policy_path_resolves_against_its_folder_and_the_flag_applies_over_it()
    {
        var dir = Directory.CreateTempSubdirectory("lever-advise-pol").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "p.yaml"), "knowledge:\n  inline_max_tokens: 100000\n");
            File.WriteAllText(Path.Combine(dir, "flag.yaml"), "caching:\n  ttl_minutes: 60\n");
            File.WriteAllText(Path.Combine(dir, "lever.yaml"), "policy: p.yaml\nworkload:\n  task: {kind: qa}\n");
            var inputs = AdvisorInputs.Load(null, Path.Combine(dir, "lever.yaml"), Path.Combine(dir, "flag.yaml"));
            Assert.Equal(100_000, inputs.Policy["knowledge.inline_max_tokens"]);
            Assert.Equal(60, inputs.Policy["caching.ttl_minutes"]);
            Assert.Equal(TaskKind.Qa, inputs.Workload.Task.Kind);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Evidence_paths_resolve_against_the_workload_folder()
    {
        var dir = Directory.CreateTempSubdirectory("lever-advise-ev").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "runs", "a1"));
            File.WriteAllText(Path.Combine(dir, "runs", "a1", "summary.json"), EvalRun);
            File.WriteAllText(Path.Combine(dir, "w.yaml"), "task: {kind: qa}\nevidence: [runs/a1/summary.json]\n");
            var inputs = AdvisorInputs.Load(Path.Combine(dir, "w.yaml"), Path.Combine(dir, "lever.yaml"), null);
            Assert.Equal("runs/a1/summary.json", Assert.Single(inputs.Evidence).Source);   // cited as written
            File.WriteAllText(Path.Combine(dir, "w.yaml"), "task: {kind: qa}\nevidence: [runs/missing/summary.json]\n");
            Assert.Contains("evidence file not found", Assert.Throws<LeverUserException>(() => AdvisorInputs.Load(Path.Combine(dir, "w.yaml"), Path.Combine(dir, "lever.yaml"), null)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
