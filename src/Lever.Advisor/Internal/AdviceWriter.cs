using System.Globalization;
using Lever.Core.Levers;
using static Lever.Advisor.Internal.AdviceText;

namespace Lever.Advisor.Internal;

/// <summary>
/// Writes a decided advice in words — the plan, the summary and the one-sentence recommendation — from what the
/// advisory pass decided (<see cref="AdvisorRun"/>): the workload, the priced options, the evidence and the measured winner.
/// </summary>
internal sealed class AdviceWriter(Workload w, AdvisorPolicy p, CostModel cm, IReadOnlyList<RecipeEvidence> evidence, IReadOnlyDictionary<LeverKind, LeverOption> options,
    RecipeEvidence? winner, MeasuredDecision? measured, IReadOnlyList<RuleFired> why, List<string> warn)
{
    private double R => w.Traffic.RequestsPerMonth;
    private double K => w.Knowledge.CorpusTokens;
    private double U => w.Data.UnlabeledDomainTokens;

    /// <summary>The plan: what to do next for <paramref name="primary"/>, as measured or as priced; closed offers become warnings.</summary>
    public List<string> Plan(LeverKind primary, Diagnosis d)
    {
        var plan = new List<string>();
        var data = cm.Data;
        var current = w.Model.Current;
        if (winner is not null)
        {
            plan.Add($"Ship the measured winner, {winner.Cite}; keep its eval set as the regression gate for every prompt, data or model change.");
            plan.Add(MeasuredRun(winner));
        }
        if (evidence.Count == 0)
            plan.Add($"Build an eval set (a few hundred held-out items) and measure today's prompt-only system on {current}: accuracy, cost and p95, with failures labelled knowledge/behaviour/prompt (`lever eval`).");
        if (d.PromptGap)
            plan.Add("Fix the prompt first: explicit instructions, the output format spelled out, 3–5 few-shot examples; re-measure before anything else.");
        var k = K > 0 && cm.KnowledgeFitsInline ? $" with the {K:#,0}-token knowledge in the system prompt" : "";
        // A measured winner is planned as it was measured (its model, its training, its cost), not as the price book's
        // generic version of its lever would be (an open model of default size, engineering days, GPU hours).
        if (winner is not null) plan.Add(MeasuredServing(winner, primary));
        else switch (primary)
        {
            case LeverKind.Prompt:
                plan.Add($"Keep prompting {current}{k}: instructions plus few-shot examples; iterate against the eval set.");
                if (d.BehaviourGap)
                    plan.Add("For the format/tone gap, climb the cheap rungs first: more and better few-shot examples, then step-by-step reasoning, then a reasoning model; measure each.");
                if (d.BehaviourGap && !data.Sufficient)
                    plan.Add($"Collect {data.MissingExamples:#,0} more labeled examples (to {data.MinExamples:#,0}, the {data.Band} minimum; {data.RecommendedExamples:#,0} is better) so fine-tuning becomes an option.");
                break;
            case LeverKind.PromptCaching:
                plan.Add($"Prompt {current}{k}, with the shared prefix first and byte-identical in every request so the provider caches it (≥ {p["caching.min_shared_prefix_tokens"]:#,0} tokens).");
                break;
            case LeverKind.Rag:
            case LeverKind.Hybrid:
                plan.Add($"Ingest the {K:#,0}-token corpus into a hybrid (BM25 + vector) index; retrieve top {p["rag.top_k"]:0} chunks per question; sync it {Names.Snake(w.Knowledge.Changes)}"
                    + (w.Knowledge.CitationsRequired ? "; answers cite their chunks" : "") + (w.Knowledge.PerUserPermissions ? "; filter chunks by the user's permissions before ranking" : "") + ".");
                if (primary == LeverKind.Hybrid)
                    plan.Add($"Then fine-tune {MethodText()} on {Math.Max(data.HaveExamples, data.MinExamples):#,0} examples for the format/tone only (answers built from retrieved context, so facts stay out of the weights).");
                else if (d.BehaviourGap && !data.Sufficient)
                    plan.Add($"Collect {data.MissingExamples:#,0} more labeled examples for the {data.Band} band; then add a fine-tuned model for the form (hybrid).");
                break;
            case LeverKind.FineTuneLora:
            case LeverKind.FineTuneQlora:
            case LeverKind.FineTuneFull:
                plan.Add($"Fine-tune {MethodText(primary)} on the {Math.Max(data.HaveExamples, data.MinExamples):#,0} labeled examples (hold out 10–20% for evaluation); compare with the prompt baseline on the eval set.");
                if (primary != LeverKind.FineTuneFull) plan.Add("Merge the adapter for serving (no added latency); keep the base + adapter versions together.");
                break;
            case LeverKind.Distill:
                plan.Add($"Label {data.RecommendedExamples:#,0} real inputs with {current} (the teacher); fine-tune {(cm.HostedFineTune ? w.Model.Small : $"an open {cm.OpenParamsB:0.#}B model")} on them; switch traffic when it is within {p["decision.tolerance_points"]} point(s) of the teacher on the eval set.");
                if (data.Sufficient) plan.Add($"Your {data.HaveExamples:#,0} labeled examples can be mixed in (or used alone: fine-tune the small model directly).");
                break;
            case LeverKind.ContinuedPretraining:
                plan.Add($"Continue pre-training an open {cm.OpenParamsB:0.#}B model on the {U:#,0}-token domain corpus (mix in general text to limit forgetting), then instruction-tune it with LoRA.");
                break;
            case LeverKind.TrainFromScratch:
                plan.Add($"Train a {cm.OpenParamsB:0.#}B model from scratch on ≥ {Math.Max(U, p["train_from_scratch.tokens_per_param"] * cm.OpenParamsB * 1e9):#,0} tokens (tokenizer for the language first), then instruction-tune.");
                break;
        }
        if (AdvisorRun.Tuned.Contains(primary) && cm.HostedOfferBlocked is { } closed)
        {
            var run = winner?.TrainingUsd is { } measuredRun
                ? $"measured ≈{Usd(measuredRun)} a training run"
                : options[primary].OneTime.FirstOrDefault(i => i.Name.Contains("training", StringComparison.Ordinal)) is { } item ? $"≈{Usd(item.Usd)} a training run ({item.Basis})" : "priced above";
            plan.Add($"Train with Lever's own fine-tuning (`lever train`, LoRA/QLoRA or full, on your GPUs or rented ones): {run}. Not {w.Model.Small}'s hosted fine-tuning: {closed}.");
            warn.Add($"Not planned: {closed}. The plan uses Lever's own fine-tuning of an open model instead.");
        }
        if ((d.CostGap || d.LatencyGap) && primary is LeverKind.Prompt or LeverKind.PromptCaching)
        {
            // The cost lever did not pay (or was not allowed): say at what volume it would.
            var be = BreakEven.Find(options[LeverKind.Distill].Tco12At, options[primary].Tco12At);
            if (be is { Volume: { } v, CheaperAbove: true })
                plan.Add($"Distillation into a small model breaks even at ≈{v.ToString("#,0", CultureInfo.InvariantCulture)} requests/month (12-month TCO); revisit it when volume approaches that{(w.Constraints.Compliance == ComplianceLevel.High ? " and compliance allows tuned weights" : "")}.");
        }
        if (AdvisorRun.Tuned.Contains(primary) && w.Constraints.Compliance == ComplianceLevel.High)
            plan.Add("Compliance: register each model version, keep the audit trail (training data, config, eval results), run drift checks on a schedule and before each rollout.");
        if (AdvisorRun.Tuned.Contains(primary) && winner is { TrainSeconds: { } seconds })
            plan.Add($"Retrain on drift and re-check against the eval set each time: one training run of the measured recipe took {Seconds(seconds)}{(winner.TrainingUsd is { } t ? $" (≈{Usd(t)})" : "")}.");
        else if (AdvisorRun.Tuned.Contains(primary))
            plan.Add($"Retrain on drift (about {p["fine_tune.retrains_per_year"]:0}×/year is priced in) and re-check against the eval set each time.");
        plan.Add(evidence.Count == 0
            ? "Re-run `lever advise` with the eval runs' summary.json under `evidence:` so measured accuracy, cost and failures replace these estimates."
            : "Re-run `lever advise` as new eval runs land (add their summary.json under `evidence:`).");
        return plan;
    }

    /// <summary>The measured winner in one plan line: its model and size, quality on how many items, training time and cost, and cost at the volume.</summary>
    private string MeasuredRun(RecipeEvidence e)
    {
        var parts = new List<string>();
        var model = e.Model is null ? "" : $" on {e.Model}{(e.ModelParams is { } n ? $" ({Params(n)})" : "")}";
        if (e.Quality is { } q) parts.Add($"quality {q:0.###}{(e.Items is { } items ? $" on {items:#,0} held-out items" : "")}{(e.LatencyP95Ms is { } l ? $", p95 {l:0.##} ms" : "")}");
        if (e.TrainSeconds is { } ts)
            parts.Add(ts > 0 ? $"training took {Seconds(ts)}{(e.TrainingUsd is { } t ? $" (≈{Usd(t)}, one-time)" : "")}" : "nothing to train");
        if (e.CostPer1kUsd is { } c) parts.Add($"answers cost {Usd(c)} per 1,000 → ≈{Usd(c * R / 1000)} a month at {R:#,0} requests/month");
        return $"What was measured: recipe '{e.Name}' pulls {(e.Lever is { } lever ? LeverKinds.Name(lever) : "no lever")}{model}: {string.Join("; ", parts)}.";
    }

    /// <summary>How to run the measured winner: as it was measured, with no generic model swapped in.</summary>
    private static string MeasuredServing(RecipeEvidence e, LeverKind primary)
    {
        var what = e.Model is null ? "the measured model" : $"{e.Model}{(e.ModelParams is { } n ? $" ({Params(n)})" : "")}";
        return AdvisorRun.Tuned.Contains(primary)
            ? $"Serve {what} as trained and measured: it reached this quality at this size, so a larger model is worth its cost only if the eval set shows a gap it closes."
            : $"Keep the measured recipe as it ran, on {what}; iterate on its prompt{(primary is LeverKind.Rag or LeverKind.Hybrid ? " and retrieval" : "")} against the eval set.";
    }

    private string MethodText(LeverKind? lever = null)
    {
        var m = lever ?? (cm.HostedFineTune ? LeverKind.FineTuneLora : cm.MemoryGb("fine_tune.lora_bytes_per_param") <= cm.GpuMemoryGb ? LeverKind.FineTuneLora : LeverKind.FineTuneQlora);
        return m switch
        {
            LeverKind.FineTuneLora when cm.HostedFineTune => $"{w.Model.Small} (hosted fine-tuning)",
            LeverKind.FineTuneLora => $"a LoRA adapter on an open {cm.OpenParamsB:0.#}B model",
            LeverKind.FineTuneQlora => $"a QLoRA adapter on a 4-bit {cm.OpenParamsB:0.#}B base",
            _ => $"all weights of an open {cm.OpenParamsB:0.#}B model",
        };
    }

    /// <summary>The summary line: the lever, the decisive reason, and the cost (measured when a recipe won).</summary>
    public string Summarize(LeverKind primary, Diagnosis d)
    {
        var first = why.LastOrDefault(r => !r.Rule.StartsWith("compliance", StringComparison.Ordinal) && !r.Rule.StartsWith("deployment", StringComparison.Ordinal)
                                           && !r.Rule.StartsWith("latency.merged", StringComparison.Ordinal) && !r.Rule.StartsWith("volume.high", StringComparison.Ordinal));
        var o = options[primary];
        if ((measured?.Winner?.CostPer1k ?? winner?.CostPer1kUsd) is { } per1k && winner is not null)
        {
            var once = winner.TrainingUsd is { } t ? $"≈{Usd(t)} one-time for training" : winner.TrainSeconds is { } ts ? $"trained in {Seconds(ts)}" : "no training cost measured";
            return $"{LeverKinds.Name(primary)}: {first?.Text ?? d.Source} Measured: {once}, {Usd(per1k)} per 1,000 answers → ≈{Usd(per1k * R / 1000)}/month at {R:#,0} requests.";
        }
        return $"{LeverKinds.Name(primary)}: {first?.Text ?? d.Source} One-time ≈${o.OneTimeUsd:#,0}, ≈${o.MonthlyUsd:#,0}/month at {R:#,0} requests.";
    }

    /// <summary>
    /// The recommendation in one sentence of at most 300 characters: the lever, the recipe, its measured quality with its
    /// 95% interval, the monthly cost at the volume, and the reason.
    /// </summary>
    public string Recommend(LeverKind primary)
    {
        var o = options[primary];
        var lever = LeverKinds.Name(primary);
        if (measured?.Table.FirstOrDefault(t => t.Status == "primary") is { } t)
        {
            var q = t.QualityLow is { } lo && t.QualityHigh is { } hi ? $"{Pct(t.Quality)} (95% CI {Pct(lo)}–{Pct(hi)})" : Pct(t.Quality);
            var month = t.MonthlyUsd is { } m ? $"{Usd(m)}/month at {R.ToString("#,0", CultureInfo.InvariantCulture)} requests" : "cost not measured";
            return Fit($"{lever} with recipe '{t.Recipe}': {q}, {month}; ", measured.Reason);
        }
        var decisive = why.LastOrDefault(r => !r.Rule.StartsWith("compliance", StringComparison.Ordinal) && !r.Rule.StartsWith("deployment", StringComparison.Ordinal)
                                               && !r.Rule.StartsWith("latency.merged", StringComparison.Ordinal) && !r.Rule.StartsWith("volume.high", StringComparison.Ordinal));
        var reason = decisive is null ? "" : decisive.Text.TrimEnd('.');
        // The reason continues the sentence: lower-case its first letter unless it starts with a name or figure ("LoRA", "500,000").
        if (reason.Length > 1 && char.IsUpper(reason[0]) && char.IsLower(reason[1])) reason = char.ToLowerInvariant(reason[0]) + reason[1..];
        var measuredQ = evidence.Where(e => e.Lever == primary && e.Quality is not null).MaxBy(e => e.Quality) is { } e
            ? $" (measured {Pct(e.Quality!.Value)}{(e.Accuracy is not null && Intervals.Wilson(e.Quality!.Value, e.Items) is { } ci ? $", 95% CI {Pct(ci.Low)}–{Pct(ci.High)}" : "")})"
            : "";
        return Fit($"{lever}{measuredQ}: ≈{Usd(o.OneTimeUsd)} one-time, ≈{Usd(o.MonthlyUsd)}/month at {R.ToString("#,0", CultureInfo.InvariantCulture)} requests; ", reason);
    }
}
