using Lever.Core.Prices;
using Lever.Advisor;
using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

/// <summary>
/// The plan for a measured winner describes what was measured (the lab's own model, its size, its training time and
/// cost, its cost per answer at the volume), not the price book's generic version of its lever.
/// </summary>
public sealed class MeasuredPlanTests
{
    private const string Workload = """
        task:
          kind: classification
          classes: 2
        data:
          labeled_examples: 3250
        workload:
          requests_per_month: 500000
          input_tokens: 600
          output_tokens: 2
          latency_p95_ms: 200
        constraints:
          deployment: on_prem
        """;

    private const string Lab = """
        {"recipes":[
          {"name":"local-full-fine-tune","lever":"fine_tune_full","accuracy":0.9474,"macro_f1":0.947,"latency_ms_p50":15.1,"latency_ms_p95":24.2,"cost_per_1k_usd":0.00035,"train_seconds":47,
           "items":2796,"model":"the lab's tiny Llama-family model","model_params":1100000,"training_usd":0.00104},
          {"name":"local-lora","lever":"fine_tune_lora","accuracy":0.8183,"cost_per_1k_usd":0.00038,"train_seconds":153},
          {"name":"local-zero-shot","lever":"prompt","accuracy":0.4993,"cost_per_1k_usd":0.00042,"train_seconds":19},
          {"name":"baseline-logreg","lever":"baseline","accuracy":0.9117,"cost_per_1k_usd":0.0000015,"train_seconds":3}
        ]}
        """;

    [Fact]
    public void A_measured_local_winner_is_planned_as_measured_not_as_a_generic_open_model()
    {
        var w = WorkloadReader.Parse("lever.yaml", Workload);
        var a = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, EvidenceReader.Parse(".lever/lab/summary.json", Lab));
        Assert.Equal(LeverKind.FineTuneFull, a.Primary);

        // The plan describes the lab's own model: its size, its measured training time and cost, its cost at the volume.
        var plan = string.Join("\n", a.Plan);
        Assert.StartsWith("Ship the measured winner, recipe 'local-full-fine-tune'", a.Plan[0], StringComparison.Ordinal);
        Assert.Equal("What was measured: recipe 'local-full-fine-tune' pulls fine_tune_full on the lab's tiny Llama-family model (1.1M parameters): "
            + "quality 0.947 on 2,796 held-out items, p95 24.2 ms; training took 47 s (≈$0.0010, one-time); "
            + "answers cost $0.00035 per 1,000 → ≈$0.18 a month at 500,000 requests/month.", a.Plan[1]);
        Assert.Contains("Serve the lab's tiny Llama-family model (1.1M parameters) as trained and measured", plan, StringComparison.Ordinal);
        Assert.Contains("one training run of the measured recipe took 47 s (≈$0.0010)", plan, StringComparison.Ordinal);
        // …and none of the price book's generic version of the lever: no default-size open model, no GPUs, no priced-in retrains.
        var generic = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, []);
        Assert.DoesNotContain("8B", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("GPU", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("priced in", plan, StringComparison.Ordinal);

        // The summary's costs are the measured ones (0.00035 $/1k × 500,000 = $0.175/month), not the lever's estimate.
        var estimate = a.Options.Single(o => o.Lever == LeverKind.FineTuneFull);
        Assert.True(estimate.OneTimeUsd > 1000); // what the estimate would have said
        Assert.EndsWith("Measured: ≈$0.0010 one-time for training, $0.00035 per 1,000 answers → ≈$0.18/month at 500,000 requests.", a.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain($"{estimate.OneTimeUsd:#,0}", a.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(a.Warnings, x => x.Contains("up front", StringComparison.Ordinal));
        var onPrem = a.Rationale.Single(r => r.Rule == "deployment.on_prem");
        Assert.Contains("1.1M parameters", onPrem.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("GB GPUs", onPrem.Text, StringComparison.Ordinal);
        Assert.Equal(1_100_000, onPrem.Numbers["params"]);

        // The same workload without evidence keeps the generic on-prem advice: the mapping follows the evidence.
        Assert.Contains("GB GPUs", generic.Rationale.Single(r => r.Rule == "deployment.on_prem").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_measured_winner_without_size_or_training_fields_is_still_planned_from_its_measured_cost()
    {
        var w = WorkloadReader.Parse("lever.yaml", Workload);
        const string Bare = """
            {"recipes":[
              {"name":"hosted-few-shot","lever":"prompt","accuracy":0.97,"cost_per_1k_usd":0.105,"model":"gpt-4o-mini (provider 'openai')"},
              {"name":"local-full-fine-tune","lever":"fine_tune_full","accuracy":0.9474,"cost_per_1k_usd":0.00035}
            ]}
            """;
        var a = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, EvidenceReader.Parse("summary.json", Bare));
        Assert.Equal(LeverKind.Prompt, a.Primary);
        Assert.Equal("What was measured: recipe 'hosted-few-shot' pulls prompt on gpt-4o-mini (provider 'openai'): quality 0.97; answers cost $0.11 per 1,000 → ≈$52.50 a month at 500,000 requests/month.", a.Plan[1]);
        Assert.StartsWith("Keep the measured recipe as it ran, on gpt-4o-mini (provider 'openai')", a.Plan[2], StringComparison.Ordinal);
        Assert.EndsWith("Measured: no training cost measured, $0.11 per 1,000 answers → ≈$52.50/month at 500,000 requests.", a.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lab_fields_are_read_from_evidence_and_written_back_with_it()
    {
        var e = EvidenceReader.Parse(".lever/lab/summary.json", Lab)[0];
        Assert.Equal(("the lab's tiny Llama-family model", 1_100_000.0, 47.0, 0.00104, 2796L), (e.Model, e.ModelParams!.Value, e.TrainSeconds!.Value, e.TrainingUsd!.Value, e.Items!.Value));
        var json = System.Text.Json.Nodes.JsonNode.Parse(AdviceJson.Write(Advisor.Advise(WorkloadReader.Parse("w.yaml", Workload), PriceBook.Default, AdvisorPolicy.Default, [e])))!;
        var written = json["evidence"]![0]!;
        Assert.Equal(1_100_000, (double)written["model_params"]!);
        Assert.Equal(0.00104, (double)written["training_usd"]!);
        Assert.Equal(0.00035, (double)written["cost_per_1k_usd"]!); // not rounded away to 0.0004 (or, for smaller costs, to 0)
        var bad = Assert.Throws<Lever.Core.LeverUserException>(() => EvidenceReader.Parse("s.json", """{"recipes":[{"name":"x","model_params":"tiny"}]}"""));
        Assert.Contains("field 'recipes[0].model_params': expected a number", bad.Message, StringComparison.Ordinal);
    }
}
