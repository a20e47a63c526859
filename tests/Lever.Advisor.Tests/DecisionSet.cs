using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

/// <summary>
/// The decision test set (issue 15): workloads written from the seed articles' rules, not from the engine's output,
/// each with the lever the rules call for and the rule it cites. Declared workloads test the gap diagnosis; measured
/// ones carry evidence built here (per-item outcomes, or aggregates only) and test how gains, intervals, costs and
/// offers decide. <see cref="DecisionSetTests"/> runs the advisor over every case.
/// </summary>
internal static class DecisionSet
{
    /// <summary>Before OpenAI's hosted fine-tuning announced its end (still open to every organisation).</summary>
    public static readonly DateOnly OffersOpen = new(2026, 3, 1);

    /// <summary>After 2027-01-06: OpenAI's hosted fine-tuning accepts no new jobs.</summary>
    public static readonly DateOnly AfterOpenAiClosed = new(2027, 2, 1);

    /// <summary>One measured recipe. <paramref name="Correct"/> of <paramref name="Items"/> right; outcomes are built per item
    /// unless <paramref name="AggregatesOnly"/>; <paramref name="Paired"/> derives them from another recipe's outcomes
    /// (items it gets right that the other got wrong, and the reverse), so discordant pairs are controlled.</summary>
    public sealed record Recipe(string Name, LeverKind Lever, int Items, int Correct, double CostPer1k, double? LatencyMs = null,
        string? ModelId = null, string? Route = null, bool AggregatesOnly = false, (string Of, int Gained, int Lost)? Paired = null,
        double? TrainingUsd = null, (long Knowledge, long Behaviour, long Prompt, long Capability)? Failures = null);

    /// <summary>One case: its name, expected primary lever (snake_case), the rule it cites, the workload YAML, its evidence and the date advised on.</summary>
    public sealed record Case(string Name, string Expected, string Rule, string Workload, IReadOnlyList<Recipe> Evidence, DateOnly Today)
    {
        public override string ToString() => Name;
    }

    private const string Local = "self-hosted";
    private const string Api = "api";

    public static IReadOnlyList<Case> All { get; } =
    [
        // ---- declared workloads: the gap diagnosis of the seeds -------------------------------------------------------
        new("large corpus that changes weekly", "rag", "seed 002: knowledge too large for the context or changing frequently → RAG (knowledge.large_or_changing)", """
            task: {kind: qa, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 3000000, changes: weekly}
            """, [], OffersOpen),
        new("citations required on a small corpus", "rag", "seed 002: you need citations and traceability → RAG (knowledge.large_or_changing)", """
            task: {kind: qa}
            knowledge: {corpus_tokens: 12000, changes: never, citations_required: true}
            """, [], OffersOpen),
        new("per-user document permissions", "rag", "seed 002: access control per user is a retrieval concern → RAG (knowledge.large_or_changing)", """
            task: {kind: qa, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 6000, changes: yearly, per_user_permissions: true}
            """, [], OffersOpen),
        new("small stable knowledge at low volume", "prompt", "seed 002: knowledge that fits the context and is stable → system prompt (knowledge.small_and_stable)", """
            task: {kind: chat, symptoms: [wrong_facts]}
            knowledge: {corpus_tokens: 9000, changes: never}
            workload: {requests_per_month: 4000}
            """, [], OffersOpen),
        new("long stable system prompt at high volume", "prompt_caching", "seed 003: reused large context, cache reads ≈10% of input → prompt caching (prompt.caching)", """
            task: {kind: chat, symptoms: [none]}
            knowledge: {corpus_tokens: 25000, changes: yearly}
            workload: {requests_per_month: 300000, input_tokens: 800, shared_prefix_tokens: 600}
            """, [], OffersOpen),
        new("long stable prefix on Anthropic at high volume", "prompt_caching", "seed 003: cache the repeated context; provider write premiums priced (prompt.caching)", """
            task: {kind: chat, symptoms: [none]}
            workload: {requests_per_month: 250000, input_tokens: 6000, shared_prefix_tokens: 5000}
            model: {current: claude-sonnet-4.5, small: claude-haiku-4.5}
            """, [], OffersOpen),
        new("format gap with data and volume", "fine_tune_lora", "seed 003: behaviour still wrong after prompting → fine-tune for form; LoRA by default (gap.behaviour)", """
            task: {kind: generation, symptoms: [inconsistent_format]}
            data: {labeled_examples: 400}
            workload: {requests_per_month: 60000}
            """, [], OffersOpen),
        new("tone gap without data", "prompt", "seed 002: style/format needs 50–500 examples; below → few-shot prompting (data.insufficient)", """
            task: {kind: generation, symptoms: [wrong_tone]}
            data: {labeled_examples: 10}
            workload: {requests_per_month: 60000}
            """, [], OffersOpen),
        new("12-class routing below its scaled minimum", "prompt", "seed 002: classification needs 500–2,000 examples for 5–10 classes, scaled above 10 (data.insufficient)", """
            task: {kind: routing, classes: 12, symptoms: [inconsistent_format]}
            data: {labeled_examples: 550}
            workload: {requests_per_month: 80000}
            """, [], OffersOpen),
        new("facts and form both wrong", "hybrid", "seed 003: fine-tune for form, retrieve for facts (gap.knowledge_and_behaviour)", """
            task: {kind: qa, symptoms: [outdated_facts, wrong_tone]}
            knowledge: {corpus_tokens: 1500000, changes: daily}
            data: {labeled_examples: 800}
            workload: {requests_per_month: 60000}
            """, [], OffersOpen),
        new("on-prem 70B on one 48 GB GPU", "fine_tune_qlora", "seed 003: QLoRA's 4-bit base fits 65B on one 48 GB GPU (method.qlora)", """
            task: {kind: extraction, symptoms: [inconsistent_format]}
            data: {labeled_examples: 3000}
            workload: {requests_per_month: 150000}
            constraints: {deployment: on_prem, gpu_memory_gb: 48, one_time_budget_usd: 25000}
            model: {self_hosted_params_b: 70}
            """, [], OffersOpen),
        new("unsupported language with a web-scale corpus", "train_from_scratch", "seed 000: from scratch only for an unsupported language with a very large corpus and budget (pretraining.from_scratch)", """
            task: {kind: chat, symptoms: [unsupported_language]}
            data: {unlabeled_domain_tokens: 40000000000}
            constraints: {one_time_budget_usd: 3000000}
            """, [], OffersOpen),
        new("domain vocabulary with a large corpus", "continued_pretraining", "seed 000: continued pre-training on hundreds of millions of domain tokens (pretraining.continued)", """
            task: {kind: generation, symptoms: [domain_vocabulary]}
            data: {unlabeled_domain_tokens: 800000000, labeled_examples: 2000}
            constraints: {one_time_budget_usd: 60000}
            """, [], OffersOpen),
        new("unsupported language, mid-size corpus", "continued_pretraining", "seed 000: not enough for from-scratch, enough to continue pre-training (pretraining.continued)", """
            task: {kind: chat, symptoms: [unsupported_language]}
            data: {unlabeled_domain_tokens: 400000000}
            constraints: {one_time_budget_usd: 60000}
            """, [], OffersOpen),
        new("the brief is not followed", "prompt", "seed 003: instructions ignored → better prompt and few-shot, not training (gap.prompt)", """
            task: {kind: extraction, symptoms: [ignores_instructions]}
            data: {labeled_examples: 8000}
            """, [], OffersOpen),
        new("expected gain of 3 points at mid volume", "prompt", "seed 001: gains of 5–10 points justify the investment; below, prompting (value.gain_too_small)", """
            task: {kind: generation, symptoms: [inconsistent_format]}
            data: {labeled_examples: 500}
            workload: {requests_per_month: 40000}
            quality: {expected_fine_tune_gain_points: 3}
            """, [], OffersOpen),
        new("major behaviour change with data, gain and budget", "fine_tune_full", "seed 002/003: ≥10,000 examples and a large gain can afford full fine-tuning (method.full)", """
            task: {kind: classification, classes: 10, symptoms: [inconsistent_format]}
            data: {labeled_examples: 25000}
            workload: {requests_per_month: 400000}
            constraints: {deployment: on_prem, gpu_memory_gb: 80, one_time_budget_usd: 120000}
            quality: {expected_fine_tune_gain_points: 12}
            model: {self_hosted_params_b: 8}
            """, [], OffersOpen),
        new("too expensive, high compliance", "prompt", "seed 004: a heavy audit burden keeps data out of the weights when no behaviour gap forces it (compliance.high)", """
            task: {kind: classification, classes: 6, symptoms: [too_expensive]}
            workload: {requests_per_month: 2000000, input_tokens: 500, output_tokens: 10}
            constraints: {compliance: high}
            """, [], OffersOpen),
        new("tight latency target", "distill", "seed 002: cost or latency matters and a smaller model does the job after fine-tuning → distill (latency.distill)", """
            task: {kind: classification, classes: 4}
            workload: {requests_per_month: 80000, latency_p95_ms: 350, output_tokens: 4}
            """, [], OffersOpen),
        new("too expensive at low volume", "prompt", "seed 001: lower volume or ad hoc use stays with prompting (cost.distill_does_not_pay)", """
            task: {kind: classification, classes: 5, symptoms: [too_expensive]}
            workload: {requests_per_month: 1500}
            """, [], OffersOpen),
        new("no gap at low volume", "prompt", "seed 003: prompting is the baseline to exhaust first (gap.none)", """
            task: {kind: qa, symptoms: [none]}
            workload: {requests_per_month: 2500}
            """, [], OffersOpen),
        new("format gap at exploration volume", "prompt", "seed 001: below ~10k requests a month customization does not pay (volume.low)", """
            task: {kind: generation, symptoms: [wrong_tone]}
            data: {labeled_examples: 450}
            workload: {requests_per_month: 2000}
            """, [], OffersOpen),
        new("too expensive at five million requests after OpenAI's fine-tuning closed", "distill", "seed 002: frontier models are too expensive at millions of calls; a distilled small model, trained by Lever itself once hosted fine-tuning closed (cost.distill)", """
            task: {kind: classification, classes: 6, symptoms: [too_expensive]}
            workload: {requests_per_month: 5000000, input_tokens: 500, output_tokens: 10}
            """, [], AfterOpenAiClosed),
        new("format gap after OpenAI's fine-tuning closed", "fine_tune_lora", "seed 003: LoRA for form; the closed hosted offer is replaced by Lever's own LoRA on an open model (gap.behaviour, offers.closed)", """
            task: {kind: extraction, symptoms: [inconsistent_format]}
            data: {labeled_examples: 3000}
            workload: {requests_per_month: 200000}
            """, [], AfterOpenAiClosed),

        // ---- measured evidence: gains against the best simpler option, with intervals ---------------------------------
        new("baseline within tolerance of the best fine-tune", "baseline", "seed 003: exhaust the cheap levers first; here no LLM is needed (evidence.no_llm_needed)", """
            task: {kind: classification, classes: 2}
            data: {labeled_examples: 4000}
            workload: {requests_per_month: 500000, input_tokens: 500, output_tokens: 2}
            constraints: {deployment: on_prem}
            """,
            [
                new("logreg", LeverKind.Baseline, 2000, 1910, 0.0000015, 0.4, null, Local),
                new("local-full", LeverKind.FineTuneFull, 2000, 1920, 0.0003, 20, "lab/tiny", Local, Paired: ("logreg", 40, 30), TrainingUsd: 0.002),
                new("local-zero-shot", LeverKind.Prompt, 2000, 1100, 0.0004, 22, "lab/tiny", Local),
            ], OffersOpen),
        new("large measured fine-tune gain", "fine_tune_lora", "seed 001: a measured gain of 5–10+ points justifies fine-tuning (evidence.measured_winner)", """
            task: {kind: classification, classes: 4}
            data: {labeled_examples: 2500}
            workload: {requests_per_month: 200000, input_tokens: 400, output_tokens: 3}
            """,
            [
                new("mini-few-shot", LeverKind.Prompt, 1000, 780, 0.065, 600, "openai/gpt-4o-mini", Api),
                new("local-lora", LeverKind.FineTuneLora, 1000, 930, 0.002, 25, "lab/tiny", Local, Paired: ("mini-few-shot", 170, 20), TrainingUsd: 0.01),
            ], OffersOpen),
        new("distilled student matches the frontier model at high volume", "distill", "seed 002: the student is 10–100× cheaper and nearly as good; high-volume classification distils (evidence.measured_winner)", """
            task: {kind: classification, classes: 3}
            data: {labeled_examples: 3000}
            workload: {requests_per_month: 3000000, input_tokens: 500, output_tokens: 3}
            """,
            [
                new("gpt4o-few-shot", LeverKind.Prompt, 1000, 950, 1.28, 700, "openai/gpt-4o", Api),
                new("student", LeverKind.Distill, 1000, 947, 0.02, 30, "lab/student", Local, Paired: ("gpt4o-few-shot", 10, 13), TrainingUsd: 0.5),
            ], OffersOpen),
        new("weekly-changing facts: RAG even though a fine-tune was measured", "rag", "seed 003/002: never fine-tune to add facts; weights go stale within a weekly change (evidence.stale_weights)", """
            task: {kind: qa, symptoms: [outdated_facts]}
            knowledge: {corpus_tokens: 2000000, changes: weekly}
            data: {labeled_examples: 3000}
            workload: {requests_per_month: 100000}
            """,
            [
                new("mini-rag", LeverKind.Rag, 1500, 1230, 0.45, 900, "openai/gpt-4o-mini", Api),
                new("mini-lora", LeverKind.FineTuneLora, 1500, 1290, 0.30, 700, "openai/ft:gpt-4o-mini", Api, Paired: ("mini-rag", 120, 60)),
            ], OffersOpen),
        new("gain smaller than its interval", "prompt", "seed 003: skipping evals you can't tell if anything improved; an undemonstrated gain never decides (evidence.no_demonstrated_gain)", """
            task: {kind: classification, classes: 3}
            data: {labeled_examples: 800}
            workload: {requests_per_month: 50000, input_tokens: 500, output_tokens: 3}
            """,
            [
                new("mini-few-shot", LeverKind.Prompt, 120, 96, 0.077, 600, "openai/gpt-4o-mini", Api, AggregatesOnly: true),
                new("mini-lora", LeverKind.FineTuneLora, 120, 101, 0.154, 600, "openai/ft:gpt-4o-mini", Api, AggregatesOnly: true),
            ], OffersOpen),
        new("knowledge and behaviour gaps measured: hybrid", "hybrid", "seed 003: mature systems fine-tune for form and retrieve for facts (evidence.measured_winner)", """
            task: {kind: qa}
            knowledge: {corpus_tokens: 4000000, changes: weekly}
            data: {labeled_examples: 2000}
            workload: {requests_per_month: 100000}
            """,
            [
                new("mini-prompt", LeverKind.Prompt, 800, 480, 0.25, 800, "openai/gpt-4o-mini", Api, AggregatesOnly: true, Failures: (150, 130, 20, 20)),
                new("mini-rag", LeverKind.Rag, 800, 592, 0.45, 950, "openai/gpt-4o-mini", Api, AggregatesOnly: true),
                new("mini-lora", LeverKind.FineTuneLora, 800, 560, 0.5, 800, "openai/ft:gpt-4o-mini", Api, AggregatesOnly: true),
                new("rag-plus-lora", LeverKind.Hybrid, 800, 704, 0.9, 950, "openai/ft:gpt-4o-mini", Api, AggregatesOnly: true),
            ], OffersOpen),
        new("long stable context: prompt caching beats retrieval", "prompt_caching", "seed 003: for a reused large context, caching can make prompting cheaper than the alternatives (prompt.caching)", """
            task: {kind: qa}
            knowledge: {corpus_tokens: 24000, changes: yearly}
            data: {labeled_examples: 200}
            workload: {requests_per_month: 300000, input_tokens: 700, output_tokens: 150}
            """,
            [
                new("gpt4o-context", LeverKind.Prompt, 1000, 910, 63.25, 1400, "openai/gpt-4o", Api),
                new("gpt4o-rag", LeverKind.Rag, 1000, 860, 8.75, 1300, "openai/gpt-4o", Api, Paired: ("gpt4o-context", 20, 70)),
            ], OffersOpen),
        new("spam-like lab run: full fine-tune over the baseline, CPT inside the noise", "fine_tune_full", "seed 001: 4.8 measured points over the best non-fine-tuned recipe justify it; CPT's 0.5 is inside the tolerance, so the simpler lever wins (evidence.measured_winner)", """
            task: {kind: classification, classes: 2}
            data: {labeled_examples: 3250}
            workload: {requests_per_month: 500000, input_tokens: 600, output_tokens: 2, latency_p95_ms: 200}
            constraints: {deployment: on_prem}
            """, SpamLike(1.0), OffersOpen),
        new("measured prompt far above the classical baseline", "prompt", "seed 003: prompting is enough when it clearly beats the no-LLM baseline and nothing beats it (evidence.measured_winner)", """
            task: {kind: classification, classes: 5}
            workload: {requests_per_month: 20000, input_tokens: 400, output_tokens: 3}
            """,
            [
                new("tfidf", LeverKind.Baseline, 1000, 700, 0.000002, 1, null, Local),
                new("mini-zero-shot", LeverKind.Prompt, 1000, 900, 0.062, 600, "openai/gpt-4o-mini", Api, Paired: ("tfidf", 230, 30)),
                new("mini-lora", LeverKind.FineTuneLora, 1000, 905, 0.124, 600, "openai/ft:gpt-4o-mini", Api, Paired: ("mini-zero-shot", 25, 20)),
            ], OffersOpen),
        new("two fine-tunes tie: the cheaper, simpler one", "fine_tune_lora", "seed 003: LoRA on par with full fine-tuning at a fraction of the cost (evidence.measured_winner)", """
            task: {kind: extraction}
            data: {labeled_examples: 5000}
            workload: {requests_per_month: 300000}
            constraints: {deployment: on_prem}
            """,
            [
                new("local-prompt", LeverKind.Prompt, 1200, 840, 0.004, 40, "lab/tiny", Local),
                new("local-lora", LeverKind.FineTuneLora, 1200, 1116, 0.004, 40, "lab/tiny", Local, Paired: ("local-prompt", 300, 24)),
                new("local-full", LeverKind.FineTuneFull, 1200, 1122, 0.004, 41, "lab/tiny", Local, Paired: ("local-lora", 16, 10)),
            ], OffersOpen),
        new("hybrid measured but not better than RAG", "rag", "seed 003: hybrid is a destination, not a starting point; without a demonstrated gain RAG stays (evidence.no_demonstrated_gain)", """
            task: {kind: qa, symptoms: [outdated_facts, wrong_tone]}
            knowledge: {corpus_tokens: 3000000, changes: daily}
            data: {labeled_examples: 2000}
            workload: {requests_per_month: 80000}
            """,
            [
                new("mini-rag", LeverKind.Rag, 600, 510, 0.45, 900, "openai/gpt-4o-mini", Api, AggregatesOnly: true),
                new("rag-plus-lora", LeverKind.Hybrid, 600, 516, 0.9, 900, "openai/ft:gpt-4o-mini", Api, AggregatesOnly: true),
            ], OffersOpen),
    ];

    /// <summary>
    /// samples/spam's lab run as issue 15 reports it (2,796 test emails): baseline 91.17%, kNN vote 90.27%, full fine-tune
    /// 95.99%, CPT + full 96.49% (McNemar p ≈ 0.06 against full: 35 vs 21 discordant). Local costs are latency × CPU
    /// price, so <paramref name="latencyScale"/> scales both; <paramref name="perRecipeScale"/> scales one recipe's.
    /// </summary>
    public static IReadOnlyList<Recipe> SpamLike(double latencyScale, Func<string, double>? perRecipeScale = null)
    {
        const double CpuUsdPerMs = 0.04 / 3_600_000;           // $0.04 per core-hour
        Recipe R(string name, LeverKind lever, int correct, double latency, string? model, (string, int, int)? paired = null, double? training = null)
        {
            var ms = latency * latencyScale * (perRecipeScale?.Invoke(name) ?? 1);
            return new(name, lever, 2796, correct, ms * CpuUsdPerMs * 1000, ms, model, Local, Paired: paired, TrainingUsd: training);
        }
        return
        [
            R("baseline-logreg", LeverKind.Baseline, 2549, 0.135, null),
            R("local-zero-shot", LeverKind.Prompt, 1448, 19.0, "lab/tiny"),
            R("local-knn-vote", LeverKind.Rag, 2524, 21.0, "lab/tiny", ("baseline-logreg", 60, 85)),
            R("local-full-fine-tune", LeverKind.FineTuneFull, 2684, 19.8, "lab/tiny", ("baseline-logreg", 190, 55), 0.0011),
            R("local-cpt-full-fine-tune", LeverKind.ContinuedPretraining, 2698, 20.5, "lab/tiny", ("local-full-fine-tune", 35, 21), 0.0019),
        ];
    }

    /// <summary>The recipes as the advisor's evidence: per-item outcomes where the case has them.</summary>
    public static IReadOnlyList<RecipeEvidence> Evidence(IReadOnlyList<Recipe> recipes)
    {
        var outcomes = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        var result = new List<RecipeEvidence>();
        foreach (var r in recipes)
        {
            bool[] items;
            if (r.Paired is { } p)
            {
                items = (bool[])outcomes[p.Of].Clone();
                var wrong = Enumerable.Range(0, items.Length).Where(i => !items[i]).ToArray();
                var right = Enumerable.Range(0, items.Length).Where(i => items[i]).ToArray();
                foreach (var i in wrong.Take(p.Gained)) items[i] = true;
                foreach (var i in right.Reverse().Take(p.Lost)) items[i] = false;
                if (items.Count(x => x) != r.Correct) throw new InvalidOperationException($"{r.Name}: pairing gives {items.Count(x => x)} correct, not {r.Correct}");
            }
            else
            {
                items = [.. Enumerable.Range(0, r.Items).Select(i => i < r.Correct)];
            }
            outcomes[r.Name] = items;
            result.Add(new RecipeEvidence
            {
                Source = "decision-set", Name = r.Name, Lever = r.Lever, Items = r.Items, Accuracy = (double)r.Correct / r.Items,
                CostPer1kUsd = r.CostPer1k, LatencyP95Ms = r.LatencyMs, ModelId = r.ModelId, Route = r.Route, TrainingUsd = r.TrainingUsd,
                TrainSeconds = r.TrainingUsd is null ? null : 60,
                KnowledgeFailures = r.Failures?.Knowledge ?? 0, BehaviourFailures = r.Failures?.Behaviour ?? 0,
                PromptFailures = r.Failures?.Prompt ?? 0, CapabilityFailures = r.Failures?.Capability ?? 0,
                Outcomes = r.AggregatesOnly
                    ? System.Collections.ObjectModel.ReadOnlyDictionary<string, ItemOutcome>.Empty
                    : items.Select((c, i) => (c, i)).ToDictionary(t => $"item-{t.i:D5}", t => new ItemOutcome(t.c, t.c ? 1 : 0)),
            });
        }
        return result;
    }
}
