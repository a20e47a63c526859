using Lever.Advisor;
using Lever.Core;

namespace Lever.Advisor.Tests;

public sealed class WorkloadReaderTests
{
    [Fact]
    public void Only_task_kind_is_required_and_the_rest_takes_documented_defaults()
    {
        var w = WorkloadReader.Parse("w.yaml", "task:\n  kind: classification\n");
        Assert.Equal(TaskKind.Classification, w.Task.Kind);
        Assert.Empty(w.Task.Symptoms);
        Assert.Equal(0, w.Knowledge.CorpusTokens);
        Assert.Equal(ChangeFrequency.Never, w.Knowledge.Changes);
        Assert.Equal(20_000, w.Traffic.RequestsPerMonth);
        Assert.Equal(800, w.Traffic.InputTokens);
        Assert.Equal(200, w.Traffic.OutputTokens);
        Assert.Equal(3_000, w.Traffic.LatencyP95Ms);
        Assert.Equal(Deployment.Cloud, w.Constraints.Deployment);
        Assert.Equal(ComplianceLevel.Moderate, w.Constraints.Compliance);
        Assert.Equal(5_000, w.Constraints.OneTimeBudgetUsd);
        Assert.Null(w.Constraints.GpuMemoryGb);
        Assert.Equal("gpt-4o", w.Model.Current);
        Assert.Equal("gpt-4o-mini", w.Model.Small);
        Assert.Empty(w.Evidence);
    }

    [Fact]
    public void Reads_every_field_of_the_issue_example()
    {
        var w = WorkloadReader.Parse("w.yaml", """
            task:
              kind: classification
              classes: 8
              symptoms: [wrong_facts, too_slow]
            knowledge:
              corpus_tokens: 2000000
              changes: weekly
              citations_required: true
              per_user_permissions: true
            data:
              labeled_examples: 1500
              unlabeled_domain_tokens: 9000
            workload:
              requests_per_month: 20000
              input_tokens: 800
              output_tokens: 200
              shared_prefix_tokens: 300
              latency_p95_ms: 3000
            constraints:
              deployment: on_prem
              compliance: high
              one_time_budget_usd: 7500
              gpu_memory_gb: 48
            quality:
              current_accuracy: 0.82
              expected_fine_tune_gain_points: 7
            model:
              current: gpt-4.1
              small: gpt-4.1-mini
              self_hosted_params_b: 13
            evidence: [runs/a/summary.json]
            """);
        Assert.Equal(8, w.Task.Classes);
        Assert.Equal([Symptom.WrongFacts, Symptom.TooSlow], w.Task.Symptoms);
        Assert.True(w.Knowledge.CitationsRequired && w.Knowledge.PerUserPermissions);
        Assert.Equal(1500, w.Data.LabeledExamples);
        Assert.Equal(300, w.Traffic.SharedPrefixTokens);
        Assert.Equal(Deployment.OnPrem, w.Constraints.Deployment);
        Assert.Equal(ComplianceLevel.High, w.Constraints.Compliance);
        Assert.Equal(48, w.Constraints.GpuMemoryGb);
        Assert.Equal(0.82, w.Quality.CurrentAccuracy);
        Assert.Equal(13, w.Model.SelfHostedParamsB);
        Assert.Equal(["runs/a/summary.json"], w.Evidence);
    }

    [Fact]
    public void Values_are_forgiving_about_case_hyphens_and_number_spelling()
    {
        var w = WorkloadReader.Parse("w.yaml", "task: {kind: QA, symptoms: Wrong_Facts}\nknowledge: {corpus_tokens: 2e6}\ndata: {labeled_examples: 1_500}\nconstraints: {deployment: on-prem}\n");
        Assert.Equal(TaskKind.Qa, w.Task.Kind);
        Assert.Equal([Symptom.WrongFacts], w.Task.Symptoms);
        Assert.Equal(2_000_000, w.Knowledge.CorpusTokens);
        Assert.Equal(1_500, w.Data.LabeledExamples);
        Assert.Equal(Deployment.OnPrem, w.Constraints.Deployment);
        Assert.Contains("expected a whole number", Assert.Throws<LeverUserException>(() => WorkloadReader.Parse("w.yaml", "task: {kind: qa}\ndata: {labeled_examples: 12.5}\n")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_workload_section_of_lever_yaml()
    {
        var w = WorkloadReader.Parse("lever.yaml", "providers:\n  x: {base_url: http://h}\nworkload:\n  task: {kind: extraction}\n  workload: {requests_per_month: 123}\n");
        Assert.Equal(TaskKind.Extraction, w.Task.Kind);
        Assert.Equal(123, w.Traffic.RequestsPerMonth);
    }

    [Theory]
    [InlineData("task: {kind: qa}\nknowledge: {corpus_tokens: 10, chnages: weekly}\n", "w.yaml:2:", "unknown field 'knowledge.chnages'")]
    [InlineData("task: {kind: qa}\nworkload: {requests_per_month: lots}\n", "w.yaml:2:", "field 'workload.requests_per_month': expected a number, got 'lots'")]
    [InlineData("task: {kind: qa}\nknowledge: {changes: often}\n", "w.yaml:2:", "field 'knowledge.changes': expected one of never | yearly | monthly | weekly | daily | hourly, got 'often'")]
    [InlineData("task: {kind: qa, symptoms: [wrong_facts, bad_vibes]}\n", "w.yaml:1:", "field 'task.symptoms[1]': expected one of")]
    [InlineData("task: {kind: poetry}\n", "w.yaml:1:", "field 'task.kind': expected one of classification | routing")]
    [InlineData("task: {classes: 3}\n", "w.yaml", "field 'task.kind': is required")]
    [InlineData("knowledge: {corpus_tokens: 5}\n", "w.yaml", "'task.kind' is required")]
    [InlineData("task: {kind: qa}\nknowledge: {citations_required: maybe}\n", "w.yaml:2:", "field 'knowledge.citations_required': expected true or false")]
    [InlineData("task: {kind: qa}\nworkload: {input_tokens: 100, shared_prefix_tokens: 500}\n", "w.yaml:2:", "field 'workload.shared_prefix_tokens'")]
    [InlineData("task: {kind: qa}\nquality: {current_accuracy: 82}\n", "w.yaml:2:", "field 'quality.current_accuracy': must be between 0 and 1")]
    [InlineData("task: {kind: qa}\ndata: {labeled_examples: -5}\n", "w.yaml:2:", "field 'data.labeled_examples': must be at least 0")]
    [InlineData("task: {kind: qa}\nconstraints: wide\n", "w.yaml:2:", "field 'constraints' must be a mapping")]
    [InlineData("task: {kind: qa}\nmodle: {current: x}\n", "w.yaml:2:", "unknown field 'modle'")]
    [InlineData("workload:\n  task: {kind: qa}\n  model: {curent: x}\n", "w.yaml:3:", "unknown field 'workload.model.curent'")]
    public void Bad_workloads_are_refused_with_file_line_and_field_path(string yaml, string where, string message)
    {
        var ex = Assert.Throws<LeverUserException>(() => WorkloadReader.Parse("w.yaml", yaml));
        Assert.StartsWith(where, ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.Hint);
    }

    [Fact]
    public void Empty_and_invalid_files_are_user_errors()
    {
        Assert.Contains("empty", Assert.Throws<LeverUserException>(() => WorkloadReader.Parse("w.yaml", "")).Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", Assert.Throws<LeverUserException>(() => WorkloadReader.Parse("w.yaml", "task: [kind\n")).Message, StringComparison.Ordinal);
        Assert.Contains("not found", Assert.Throws<LeverUserException>(() => WorkloadReader.Read("/nonexistent/w.yaml")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nested_error_in_lever_yaml_names_line_column_and_the_whole_path()
    {
        const string yaml = "providers:\n  x: {base_url: http://h}\nworkload:\n  task: {kind: qa}\n  workload: {requests_per_month: lots}\n";
        var ex = Assert.Throws<LeverUserException>(() => WorkloadReader.Parse("lever.yaml", yaml));
        Assert.Equal("lever.yaml:5:34: field 'workload.workload.requests_per_month': expected a number, got 'lots'", ex.Message);
        var typo = Assert.Throws<LeverUserException>(() => WorkloadReader.Parse("w.yaml", "task: {kind: qa}\nknowledge:\n  chnages: weekly\n"));
        Assert.Equal("w.yaml:3:3: unknown field 'knowledge.chnages' — did you mean changes?", typo.Message);
        Assert.Contains("corpus_tokens, changes, citations_required, per_user_permissions", typo.Hint, StringComparison.Ordinal);
    }
}
