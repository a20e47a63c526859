using Lever.Core;
using Lever.Core.Config;

namespace Lever.Lab;

/// <summary>The lab's settings read from a workspace's lever.yaml, validated: the <c>lab:</c> section and the monthly volume.</summary>
/// <param name="Options">The <c>lab:</c> section.</param>
/// <param name="RequestsPerMonth">Answers per month every cost is computed at.</param>
/// <param name="VolumeSource">Where the volume came from (file:line and field), for the report.</param>
public sealed record LabConfiguration(LabOptions Options, double RequestsPerMonth, string VolumeSource)
{

    /// <summary>Reads and validates the lab's configuration in <paramref name="workspace"/>.</summary>
    public static LabConfiguration Load(Workspace workspace)
    {
        var path = workspace.ConfigPath;
        if (!File.Exists(path))
            throw new LeverUserException($"{path}: not found; the lab needs a lever.yaml with a lab: section", "start from samples/spam/lever.yaml");
        var config = LeverConfig.Load(path);
        // The one tolerance lives in decision: (shared with the advisor); lab.tolerance_accuracy_points fails with the rename.
        var decision = DecisionOptions.Load(config);
        var options = config.Section<LabOptions>(LabOptions.SectionName)
            ?? throw new LeverUserException($"{path}: no lab: section", "add one (see samples/spam/lever.yaml and docs/LAB.md)");
        options.ToleranceAccuracyPoints = decision.TolerancePoints;
        // Explicit values always win over sizing and search: remember which lab.llm fields lever.yaml writes.
        var llm = config.SectionNode(LabOptions.SectionName)?.Field("llm");
        options.Llm.SetInConfig = llm is null ? new HashSet<string>(StringComparer.Ordinal)
            : typeof(LabLanguageModelOptions).GetProperties().Select(p => Snake(p.Name)).Where(llm.Has).ToHashSet(StringComparer.Ordinal);
        Validate(config, options);
        if (options.Compute.RequestsPerMonth is { } declared)
            return new LabConfiguration(options, declared, $"{path}: lab.compute.requests_per_month");
        var (volume, line) = WorkloadVolume(config)
            ?? throw new LeverUserException($"{path}: no monthly volume: set workload.workload.requests_per_month (or lab.compute.requests_per_month)",
                "the lab prices every recipe at that volume");
        return new LabConfiguration(options, volume, $"{path}:{line}: workload.workload.requests_per_month");
    }

    private static void Validate(LeverConfig config, LabOptions o)
    {
        void Fail(string field, string what, string hint) => throw config.ErrorAt($"lab.{field}", what, hint);
        if (o.Task is not ("classification" or "qa" or Import.LabTasks.Extraction)) Fail("task", $"unknown task '{o.Task}'", "use classification (as samples/spam), extraction (input → output pairs, as samples/unicode) or qa (as samples/pgdocs)");
        if (o.Task == Import.LabTasks.Extraction && o.Dataset.Source != LabDatasetOptions.FileSource)
            Fail("dataset.source", $"an extraction lab reads a file of input → output pairs, not '{o.Dataset.Source}'", "set source: file and path: (`lever lab init WS --data FILE` writes both)");
        switch (o.Dataset.Source)
        {
            case LabDatasetOptions.FileSource:
                if (string.IsNullOrWhiteSpace(o.Dataset.Path)) Fail("dataset.path", "missing", "name the data file (JSONL or CSV), relative to the workspace; `lever lab init WS --data FILE` writes it");
                if (o.Dataset.Split is not ("random" or "order")) Fail("dataset.split", $"unknown split '{o.Dataset.Split}'", "use random (stratified, seeded) or order (the last rows by time or file order are the test)");
                if (o.Dataset.Test is null && o.Dataset.TestFraction is <= 0 or >= 1) Fail("dataset.test_fraction", $"{o.Dataset.TestFraction} is outside (0, 1)", "use a share such as 0.2, or give a test file");
                break;
            case LabDatasetOptions.SpamAssassinSource:
                if (o.Dataset.TrainGroups.Count == 0) Fail("dataset.train_groups", "empty", "list the corpus groups to train on");
                if (o.Dataset.TestGroups.Count == 0) Fail("dataset.test_groups", "empty", "list the corpus groups to test on");
                var both = o.Dataset.TrainGroups.Intersect(o.Dataset.TestGroups, StringComparer.Ordinal).ToList();
                if (both.Count > 0) Fail("dataset.test_groups", $"{string.Join(", ", both)} also in train_groups", "a group belongs to training or to the test, never both");
                break;
            default:
                Fail("dataset.source", $"unknown source '{o.Dataset.Source}'", "use file (a JSONL or CSV of your own: `lever lab init`) or spamassassin (samples/spam)");
                break;
        }
        if (o.Dataset.ValidationFraction is <= 0 or >= 1) Fail("dataset.validation_fraction", $"{o.Dataset.ValidationFraction} is outside (0, 1)", "use a share such as 0.15");
        if (o.Dataset.MaxBodyChars < 100) Fail("dataset.max_body_chars", $"{o.Dataset.MaxBodyChars} is too small", "use at least 100");
        if (o.Compute.CpuHourUsd < 0) Fail("compute.cpu_hour_usd", "negative", "give the price of one CPU core-hour in USD");
        if (o.Compute.AmortizeMonths < 1) Fail("compute.amortize_months", $"{o.Compute.AmortizeMonths}", "use 1 or more months");
        if (o.Compute.RequestsPerMonth is <= 0) Fail("compute.requests_per_month", "must be positive", "give answers per month");
        if (o.Inference.Backend is not (LabInferenceOptions.EngineBackend or LabInferenceOptions.LlamaCppBackend))
            Fail("inference.backend", $"unknown backend '{o.Inference.Backend}'", "use engine (TorchSharp, F32) or llamacpp (a GGUF export run by llama.cpp)");
        if (!LabInferenceOptions.Quantizations.Contains(o.Inference.Quantization))
            Fail("inference.quantization", $"unknown type '{o.Inference.Quantization}'", $"use one of {string.Join(", ", LabInferenceOptions.Quantizations)}");
        if (!o.Inference.IsLlamaCpp && o.Inference.Quantization != "f32")
            Fail("inference.quantization", $"the engine runs f32 weights, not {o.Inference.Quantization}", "set inference.backend: llamacpp to measure a quantized GGUF, or drop quantization");
        if (o.Inference.MaxTestItems is < 1) Fail("inference.max_test_items", $"{o.Inference.MaxTestItems} is not a positive count", "give a number of test emails, or remove it to score every one");
        if (o.BudgetMinutes is <= 0 or double.NaN) Fail("budget_minutes", $"{o.BudgetMinutes} is not a positive number of minutes", $"use e.g. {Recipes.Local.LocalModelSizing.DefaultBudgetMinutes} (the lab's model is sized to train within a share of it)");
        var llm = o.Llm;
        if (llm.Preset != LabLanguageModelOptions.AutoPreset && Engine.Modules.ModelPresets.Get(llm.Preset) is null && !llm.Preset.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            Fail("llm.preset", $"unknown preset '{llm.Preset}'", $"use auto (sized from the data and lab.budget_minutes), {string.Join(", ", Engine.Modules.ModelPresets.Names)} or a config.json path");
        foreach (var (field, rate) in new[] { ("llm.lora_learning_rate", llm.LoraLearningRate), ("llm.fine_tune_learning_rate", llm.FineTuneLearningRate) })
            if (rate is { } r && (r <= 0 || r >= 1 || double.IsNaN(r))) Fail(field, $"{r} is outside (0, 1)", "use a peak learning rate such as 0.002 for LoRA or 0.0005 for the full fine-tune, or remove it to search it on validation");
        foreach (var (field, value, least) in new (string, int?, int)[]
        {
            ("llm.vocab", llm.Vocab, 259), ("llm.pretrain_chars", llm.PretrainChars, 1), ("llm.pretrain_steps", llm.PretrainSteps, 1),
            ("llm.cpt_steps", llm.CptSteps, 1), ("llm.fine_tune_steps", llm.FineTuneSteps, 1), ("llm.lora_steps", llm.LoraSteps, 1),
            ("llm.batch_size", llm.BatchSize, 1), ("llm.seq_len", llm.SeqLen, 32), ("llm.prompt_chars", llm.PromptChars, 1),
            ("llm.few_shot", llm.FewShot, 0), ("llm.rag_k", llm.RagK, 1), ("llm.lora_rank", llm.LoraRank, 1),
        })
        {
            if (value < least) Fail(field, $"{value} is below {least}", $"use {least} or more");
        }
    }

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    // The workload: section belongs to the advisor; the lab reads only the one number it needs from it.
    private static (double Volume, int Line)? WorkloadVolume(LeverConfig config)
    {
        if (config.SectionNode("workload")?.Field("workload")?.Field("requests_per_month") is not { } node) return null;
        if (!node.TryBind<double>(out var v) || v <= 0)
            throw node.Error($"{(node.IsScalar ? $"'{node.Value}'" : "a " + (node.IsList ? "list" : "mapping"))} is not a positive number", "give answers per month, e.g. 500000");
        return (v, node.Line);
    }
}
