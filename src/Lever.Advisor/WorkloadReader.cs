using Lever.Advisor.Internal;
using Lever.Core;

namespace Lever.Advisor;

/// <summary>
/// Binds a workload from YAML: a standalone file (top-level <c>task:</c>) or the <c>workload:</c> section of
/// lever.yaml. Strict: unknown fields and wrong types are refused with file, line and the dotted field path.
/// </summary>
public static class WorkloadReader
{
    /// <summary>Reads and binds the workload file at <paramref name="path"/>.</summary>
    public static Workload Read(string path)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: workload file not found", "pass an existing file to --workload (see samples/workloads/)");
        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Binds YAML <paramref name="text"/>; <paramref name="file"/> names it in errors.</summary>
    public static Workload Parse(string file, string text)
    {
        var root = YamlSection.Parse(file, text, "workload");
        if (!root.Has("task") && root.Has("workload"))
        {
            // lever.yaml: the workload is one section among providers:, prices:, policy:, … which others own.
            var section = root.Section("workload")!;
            return Bind(section);
        }
        return Bind(root);
    }

    internal static Workload Bind(YamlSection s)
    {
        var prefix = s.Path.Length == 0 ? "" : s.Path + ".";
        var task = s.Section("task") ?? throw s.Error("task", $"'{prefix}task.kind' is required (one of {string.Join(" | ", Names.All<TaskKind>())})");
        var kind = task.Enum<TaskKind>("kind") ?? throw task.Error("kind", $"is required: one of {string.Join(" | ", Names.All<TaskKind>())}");
        var t = new WorkloadTask
        {
            Kind = kind,
            Classes = (int?)task.Integer("classes", 2),
            Symptoms = task.EnumList<Symptom>("symptoms") ?? [],
        };
        task.Done();

        var k = new WorkloadKnowledge();
        if (s.Section("knowledge") is { } kn)
        {
            k = new WorkloadKnowledge
            {
                CorpusTokens = kn.Integer("corpus_tokens") ?? k.CorpusTokens,
                Changes = kn.Enum<ChangeFrequency>("changes") ?? k.Changes,
                CitationsRequired = kn.Bool("citations_required") ?? k.CitationsRequired,
                PerUserPermissions = kn.Bool("per_user_permissions") ?? k.PerUserPermissions,
            };
            kn.Done();
        }

        var d = new WorkloadData();
        if (s.Section("data") is { } da)
        {
            d = new WorkloadData
            {
                LabeledExamples = da.Integer("labeled_examples") ?? 0,
                UnlabeledDomainTokens = da.Integer("unlabeled_domain_tokens") ?? 0,
            };
            da.Done();
        }

        var w = new WorkloadTraffic();
        if (s.Section("workload") is { } tr)
        {
            w = new WorkloadTraffic
            {
                RequestsPerMonth = tr.Number("requests_per_month", 1) ?? w.RequestsPerMonth,
                InputTokens = tr.Number("input_tokens", 1) ?? w.InputTokens,
                OutputTokens = tr.Number("output_tokens", 1) ?? w.OutputTokens,
                SharedPrefixTokens = tr.Number("shared_prefix_tokens") ?? w.SharedPrefixTokens,
                LatencyP95Ms = tr.Number("latency_p95_ms", 1) ?? w.LatencyP95Ms,
            };
            if (w.SharedPrefixTokens > w.InputTokens)
                throw tr.Error("shared_prefix_tokens", $"is {w.SharedPrefixTokens:0} but input_tokens is {w.InputTokens:0}: the shared prefix is part of the input, so it cannot be longer");
            tr.Done();
        }

        var c = new WorkloadConstraints();
        if (s.Section("constraints") is { } co)
        {
            c = new WorkloadConstraints
            {
                Deployment = co.Enum<Deployment>("deployment") ?? c.Deployment,
                Compliance = co.Enum<ComplianceLevel>("compliance") ?? c.Compliance,
                OneTimeBudgetUsd = co.Number("one_time_budget_usd") ?? c.OneTimeBudgetUsd,
                GpuMemoryGb = co.Number("gpu_memory_gb", 1),
            };
            co.Done();
        }

        var q = new WorkloadQuality();
        if (s.Section("quality") is { } qu)
        {
            q = new WorkloadQuality
            {
                CurrentAccuracy = qu.Number("current_accuracy", 0, 1),
                ExpectedFineTuneGainPoints = qu.Number("expected_fine_tune_gain_points", -100, 100),
            };
            qu.Done();
        }

        var m = new WorkloadModels();
        if (s.Section("model") is { } mo)
        {
            m = new WorkloadModels
            {
                Current = mo.String("current") ?? m.Current,
                Small = mo.String("small") ?? m.Small,
                SelfHostedParamsB = mo.Number("self_hosted_params_b", 0.01),
            };
            mo.Done();
        }

        var evidence = s.StringList("evidence") ?? [];
        s.Done();
        return new Workload { Task = t, Knowledge = k, Data = d, Traffic = w, Constraints = c, Quality = q, Model = m, Evidence = evidence };
    }
}
