using Lever.Core.Prices;
using System.Globalization;
using Lever.Core.Levers;
using static Lever.Advisor.Internal.AdviceText;

namespace Lever.Advisor.Internal;

/// <summary>One advisory pass of <see cref="Advisor.Advise(Workload, Lever.Core.Prices.PriceBook, AdvisorPolicy, IReadOnlyList{RecipeEvidence}, DateOnly)"/>; holds the rationale, warnings and plan as they accumulate.</summary>
internal sealed class AdvisorRun(Workload w, PriceBook b, AdvisorPolicy p, IReadOnlyList<RecipeEvidence> evidence, DateOnly today)
{
    /// <summary>Levers that change weights: they get the compliance and retraining plan items.</summary>
    internal static readonly LeverKind[] Tuned = [LeverKind.FineTuneLora, LeverKind.FineTuneQlora, LeverKind.FineTuneFull, LeverKind.Distill, LeverKind.ContinuedPretraining, LeverKind.TrainFromScratch, LeverKind.Hybrid];

    private readonly CostModel _cm = new(w, b, p, evidence, today);
    private readonly List<RuleFired> _why = [];
    private readonly List<string> _warn = [];
    private Dictionary<LeverKind, LeverOption> _o = [];
    private RecipeEvidence? _winner;
    private MeasuredDecision? _measured;

    private double R => w.Traffic.RequestsPerMonth;
    private double K => w.Knowledge.CorpusTokens;
    private double U => w.Data.UnlabeledDomainTokens;
    private double Budget => w.Constraints.OneTimeBudgetUsd;
    private bool Has(Symptom s) => w.Task.Symptoms.Contains(s);

    private void Fire(string rule, string text, string source, params (string, double)[] numbers) =>
        _why.Add(new RuleFired(rule, text, numbers.ToDictionary(n => n.Item1, n => n.Item2), source));

    /// <summary>The candidate lever a measurement replaces, or null: none stated, or the baseline (it only contributes its quality and diagnosis).</summary>
    private static LeverKind? Candidate(RecipeEvidence e) => e.Lever is LeverKind.Baseline ? null : e.Lever;

    public Advice Decide()
    {
        _o = _cm.All().ToDictionary(o => o.Lever);
        // The classical baseline is a lever once measured: priced as it ran (there is nothing to estimate it from).
        if (evidence.Where(e => e.Lever == LeverKind.Baseline && e.Quality is not null).OrderByDescending(e => e.Quality).FirstOrDefault() is { } baseline)
            _o[LeverKind.Baseline] = _cm.Baseline(baseline);
        var diagnosis = Diagnose(out var gain);
        var primary = Choose(diagnosis, gain);
        // The measured winner is what ships: its option is priced as it ran when the lever's generic option is another model or route.
        if (_winner is not null && _measured?.Winner is { Derived: false } && primary != LeverKind.Baseline)
            _o[primary] = _cm.AsMeasured(_o[primary], _winner);
        Adjust(primary, diagnosis);
        var writer = new AdviceWriter(w, p, _cm, evidence, _o, _winner, _measured, _why, _warn);
        var plan = writer.Plan(primary, diagnosis);
        var options = WithBreakEven(primary);
        return new Advice
        {
            Primary = primary, Summary = writer.Summarize(primary, diagnosis), Recommendation = writer.Recommend(primary), Diagnosis = diagnosis, Plan = plan, Rationale = _why, Warnings = _warn,
            DataSufficiency = _cm.Data, Options = options, Workload = w, Evidence = evidence, Measured = _measured?.Table ?? [], Today = today,
            PriceBook = $"{b.Origin} (as of {b.AsOf})", Policy = p.Origin,
        };
    }

    // 1) Diagnose the gap: declared symptoms, replaced by measured failure categories when evidence has them.
    private Diagnosis Diagnose(out double? gain)
    {
        var knowledge = Has(Symptom.WrongFacts) || Has(Symptom.OutdatedFacts);
        var behaviour = Has(Symptom.InconsistentFormat) || Has(Symptom.WrongTone);
        var prompt = Has(Symptom.IgnoresInstructions);
        var source = "declared symptoms";
        var baseline = evidence.Where(e => e.KnowledgeFailures + e.BehaviourFailures + e.PromptFailures + e.CapabilityFailures > 0)
            .OrderBy(e => e.Lever == LeverKind.Prompt ? 0 : Candidate(e) is null ? 1 : 2).FirstOrDefault();
        if (baseline is not null)
        {
            double total = baseline.KnowledgeFailures + baseline.BehaviourFailures + baseline.PromptFailures + baseline.CapabilityFailures;
            var min = p["evidence.gap_min_share"];
            knowledge = baseline.KnowledgeFailures / total >= min;
            behaviour = baseline.BehaviourFailures / total >= min;
            prompt = baseline.PromptFailures / total >= min;
            source = $"measured failures of {baseline.Cite}";
            Fire("evidence.diagnosis",
                $"Measured failures replace the declared symptoms: {baseline.KnowledgeFailures} knowledge, {baseline.BehaviourFailures} behaviour, {baseline.PromptFailures} prompt, {baseline.CapabilityFailures} capability of {total:0} diagnosed; a category counts as a gap at ≥ {min * 100:0}% of them ({p.Cite("evidence.gap_min_share")}).",
                baseline.Cite, ("knowledge", baseline.KnowledgeFailures), ("behaviour", baseline.BehaviourFailures), ("prompt", baseline.PromptFailures), ("capability", baseline.CapabilityFailures));
            if (baseline.CapabilityFailures / total >= min)
                _warn.Add($"{baseline.CapabilityFailures} of {total:0} failures of {baseline.Cite} are capability gaps that neither retrieval nor fine-tuning explain: try a larger model before customizing.");
        }
        else if (w.Task.Symptoms.Count > 0)
        {
            Fire("diagnose.symptoms", $"Declared symptoms: {string.Join(", ", w.Task.Symptoms.Select(s => Names.Snake(s)))} → {Gaps(knowledge, behaviour, prompt)}.", Advisor.Taskade);
        }

        gain = w.Quality.ExpectedFineTuneGainPoints;
        // The figure that justifies changing weights: the best tuned recipe against the best one that does not change them
        // (baseline, prompt, caching, RAG, or a row naming no lever), with its interval.
        var measuredBase = evidence.Where(e => e.Quality is not null && (e.Lever is null || !LeverLadder.ChangesWeights(e.Lever.Value)))
            .OrderByDescending(e => e.Quality).ThenBy(e => e.Lever is { } l ? LeverLadder.Rank(l) : 0).FirstOrDefault();
        var measuredTuned = evidence.Where(e => e.Lever is { } l && LeverLadder.ChangesWeights(l) && e.Quality is not null).MaxBy(e => e.Quality);
        if (measuredBase is not null && measuredTuned is not null)
        {
            var g = Intervals.Gain(MeasuredDecision.Of(measuredTuned), MeasuredDecision.Of(measuredBase), p["decision.tolerance_points"], (int)p["decision.bootstrap_resamples"]);
            gain = g.Points;
            Fire("evidence.gain", $"Measured fine-tuning gain {g.Text} ({g.Method}{(g.Items > 0 ? $", {g.Items:#,0} items" : "")}): '{measuredTuned.Name}' {measuredTuned.Quality:0.####} vs the best recipe that changes no weights, '{measuredBase.Name}' {measuredBase.Quality:0.####}{(g.Demonstrated ? "" : " — no demonstrated gain")}; it replaces the declared expectation.",
                measuredTuned.Cite, ("gain_points", g.Points), ("gain_low_points", g.Low ?? double.NaN), ("gain_high_points", g.High ?? double.NaN));
        }

        // A gain cannot exceed the headroom left by today's accuracy (measured, or declared).
        var accuracy = measuredBase?.Quality ?? w.Quality.CurrentAccuracy;
        if (accuracy is { } acc && gain is { } g0 && g0 > (1 - acc) * 100)
        {
            gain = (1 - acc) * 100;
            Fire("quality.headroom", $"An expected gain of {g0:0.#} points exceeds the {gain:0.#} points left above today's accuracy {acc:0.###}; the gain is capped there.",
                Advisor.Xither, ("declared_gain_points", g0), ("current_accuracy", acc), ("capped_gain_points", gain.Value));
        }

        var prompt0 = _o[LeverKind.Prompt];
        var slowDeclared = Has(Symptom.TooSlow) || evidence.Any(e => e.Lever == LeverKind.Prompt && e.LatencyP95Ms > w.Traffic.LatencyP95Ms);
        // Only a target below the policy threshold counts as tight: the per-model speed estimates are too rough to
        // turn a long answer into a latency gap on their own (they do raise a warning when above the target).
        var tight = w.Traffic.LatencyP95Ms < p["latency.tight_ms"];
        if (tight)
            Fire("latency.tight", $"The p95 target {w.Traffic.LatencyP95Ms:0} ms is tight (below {p.Cite("latency.tight_ms")}); today's estimate on {prompt0.Model} is ≈{prompt0.LatencyP95Ms:0} ms.",
                Advisor.Taskade, ("target_ms", w.Traffic.LatencyP95Ms), ("estimated_ms", prompt0.LatencyP95Ms));
        return new Diagnosis
        {
            KnowledgeGap = knowledge, BehaviourGap = behaviour, PromptGap = prompt, CostGap = Has(Symptom.TooExpensive),
            LatencyGap = slowDeclared || tight,
            KnowledgeNeed = knowledge || K > 0 || w.Knowledge.CitationsRequired || w.Knowledge.PerUserPermissions,
            Source = source,
        };
    }

    private static string Gaps(bool k, bool b, bool pr)
    {
        var g = new List<string>();
        if (k) g.Add("knowledge gap");
        if (b) g.Add("behaviour gap");
        if (pr) g.Add("prompt gap");
        return g.Count == 0 ? "no knowledge/behaviour/prompt gap" : string.Join(" + ", g);
    }

    private LeverKind Choose(Diagnosis d, double? gain)
    {
        // 0) Measured evidence wins: two or more levers measured on the same task (the baseline among them) decide.
        var measured = evidence.Where(e => e.Lever is not null && e.Quality is not null).ToList();
        if (measured.Select(e => e.Lever).Distinct().Count() >= 2 && DecideMeasured(measured, d) is { } lever)
            return lever;

        // 1) Pre-training levers: only for an unsupported language, or missing domain vocabulary with a large corpus.
        var scratch = _o[LeverKind.TrainFromScratch];
        var cpt = _o[LeverKind.ContinuedPretraining];
        var cptMin = p["continued_pretraining.min_unlabeled_tokens"];
        if (Has(Symptom.UnsupportedLanguage))
        {
            var scratchBudget = Math.Max(scratch.OneTimeUsd, p["train_from_scratch.min_budget_usd"]);
            if (U >= p["train_from_scratch.min_unlabeled_tokens"] && Budget >= scratchBudget)
            {
                Fire("pretraining.from_scratch", $"Unsupported language with {U:#,0} unlabeled tokens (≥ {p.Cite("train_from_scratch.min_unlabeled_tokens")}) and a ${Budget:#,0} budget (≥ ${scratchBudget:#,0}) → train from scratch.",
                    Advisor.Verghote, ("unlabeled_tokens", U), ("budget_usd", Budget), ("needed_usd", scratchBudget));
                return LeverKind.TrainFromScratch;
            }
            if (U >= cptMin && Budget >= cpt.OneTimeUsd)
            {
                Fire("pretraining.continued", $"Unsupported language: {U:#,0} unlabeled tokens suffice for continued pre-training (≥ {p.Cite("continued_pretraining.min_unlabeled_tokens")}) within the ${Budget:#,0} budget (needs ${cpt.OneTimeUsd:#,0}); not enough corpus or budget to train from scratch.",
                    Advisor.Verghote, ("unlabeled_tokens", U), ("budget_usd", Budget), ("cpt_one_time_usd", cpt.OneTimeUsd));
                return LeverKind.ContinuedPretraining;
            }
            _warn.Add($"The language is unsupported, but continued pre-training needs ≥ {cptMin:#,0} unlabeled tokens (have {U:#,0}) and ${cpt.OneTimeUsd:#,0} (budget ${Budget:#,0}): collect a corpus, or pick a model that supports the language.");
            Fire("pretraining.not_affordable", $"Unsupported language but corpus {U:#,0} tokens / budget ${Budget:#,0} are below what pre-training needs → prompt a model that covers the language meanwhile.", Advisor.Verghote, ("unlabeled_tokens", U), ("budget_usd", Budget));
            return CachingOrPrompt();
        }
        if (Has(Symptom.DomainVocabulary))
        {
            if (U >= cptMin && Budget >= cpt.OneTimeUsd)
            {
                Fire("pretraining.continued", $"Domain vocabulary the model lacks, {U:#,0} unlabeled domain tokens (≥ {p.Cite("continued_pretraining.min_unlabeled_tokens")}) and a ${Budget:#,0} budget (≥ ${cpt.OneTimeUsd:#,0}) → continued pre-training.",
                    Advisor.Verghote, ("unlabeled_tokens", U), ("budget_usd", Budget), ("cpt_one_time_usd", cpt.OneTimeUsd));
                return LeverKind.ContinuedPretraining;
            }
            Fire("pretraining.vocabulary_without_corpus", $"Domain vocabulary is missing, but continued pre-training needs ≥ {cptMin:#,0} unlabeled tokens (have {U:#,0}) and ${cpt.OneTimeUsd:#,0} (budget ${Budget:#,0}) → a glossary in the prompt instead.",
                Advisor.Verghote, ("unlabeled_tokens", U), ("budget_usd", Budget));
        }

        // 2) The gap diagnosis.
        var rag = RagNeeded(out var ragWhy);
        if (d.KnowledgeNeed && d.BehaviourGap)
        {
            if (d.KnowledgeGap || rag)
            {
                if (FineTuneGate(gain, out var method))
                {
                    Fire("gap.knowledge_and_behaviour", $"Knowledge gap and behaviour gap together → hybrid: retrieval for the facts ({(rag ? ragWhy : "knowledge gap")}), {LeverKinds.Name(method)} for the form.", Advisor.Taskade);
                    return LeverKind.Hybrid;
                }
                Fire("gap.knowledge_first", "Knowledge and behaviour gaps, but fine-tuning is not justified yet (see above): fix the facts first, keep the form in the prompt with few-shot examples.", Advisor.Levers);
                return rag ? Rag(ragWhy) : CachingOrPrompt();
            }
            if (FineTuneGate(gain, out var m2))
            {
                Fire("gap.behaviour", $"Behaviour gap (format/tone after prompting); the {K:#,0}-token knowledge is small and stable, so it stays in the prompt → {LeverKinds.Name(m2)}.", Advisor.Taskade);
                return m2;
            }
            return CachingOrPrompt();
        }
        if (d.BehaviourGap)
        {
            if (FineTuneGate(gain, out var m))
            {
                Fire("gap.behaviour", $"Behaviour gap (format/tone still wrong after prompting) → fine-tune for the form: {LeverKinds.Name(m)}.", Advisor.Taskade);
                return m;
            }
            return CachingOrPrompt();
        }
        if (d.KnowledgeNeed)
        {
            if (rag) return Rag(ragWhy);
            Fire("knowledge.small_and_stable", $"The knowledge ({K:#,0} tokens) fits the prompt (≤ {p.Cite("knowledge.inline_max_tokens")}) and changes {Names.Snake(w.Knowledge.Changes)} (stable: {string.Join("/", p.List("knowledge.stable_changes"))}) → system prompt.",
                Advisor.Levers, ("corpus_tokens", K), ("inline_max_tokens", p["knowledge.inline_max_tokens"]));
            return CachingOrPrompt();
        }
        // Without a cost or latency complaint, only the "strongly" volume makes a tuned small model worth proposing;
        // with one, the 12-month TCO comparison below decides at any volume.
        var volumeMotive = R >= p["volume.fine_tune_strong_requests_per_month"];
        if (d.CostGap || d.LatencyGap || volumeMotive)
            return CostOrLatency(d, volumeMotive);
        if (d.PromptGap)
        {
            Fire("gap.prompt", "The model does not follow the brief: a prompt gap → better instructions and few-shot examples, not training.", Advisor.Taskade);
            return LeverKind.Prompt;
        }
        Fire("gap.none", "No knowledge, behaviour or cost gap declared: prompting is the baseline to exhaust first.", Advisor.Levers);
        return CachingOrPrompt();
    }

    /// <summary>The measured decision (<see cref="MeasuredDecision"/>): fires its rules, sets the winner; null when nothing is eligible.</summary>
    private LeverKind? DecideMeasured(List<RecipeEvidence> measured, Diagnosis d)
    {
        var tol = p["decision.tolerance_points"];
        var stale = K > 0 && !p.List("knowledge.stable_changes").Contains(Names.Snake(w.Knowledge.Changes));
        var candidates = new List<MeasuredDecision.Candidate>();
        foreach (var e in measured)
        {
            // Facts that change weekly (or faster) go stale in weights: a recipe that tunes weights without retrieval never ships for them.
            string? excluded = stale && LeverLadder.ChangesWeights(e.Lever!.Value) && e.Lever != LeverKind.Hybrid
                ? $"the {K:#,0}-token knowledge changes {Names.Snake(w.Knowledge.Changes)}: facts in weights go stale; retrieval keeps them current"
                : null;
            candidates.Add(new(e.Name, e.Lever!.Value, e, e.CostPer1kUsd, false, excluded));
        }
        // A measured prompt on today's hosted model also measures prompt caching: the same answers, with the shared prefix
        // read from the cache. Its cost is the measured one scaled by the cost model's cached/uncached ratio.
        var prompt = _o[LeverKind.Prompt];
        var caching = _o[LeverKind.PromptCaching];
        if (!measured.Any(e => e.Lever == LeverKind.PromptCaching) && caching.Viable && caching.Usage.Usd < prompt.Usage.Usd && prompt.Usage.Usd > 0)
        {
            var ratio = caching.Usage.Usd / prompt.Usage.Usd;
            foreach (var e in measured.Where(e => e.Lever == LeverKind.Prompt && e.CostPer1kUsd is not null && CostModel.Matches(e, prompt.Model, prompt.Route) && b.Model(prompt.Model) is not null).ToList())
                candidates.Add(new($"{e.Name} + caching", LeverKind.PromptCaching, e, e.CostPer1kUsd * ratio, true, null,
                    $"'{e.Name}' with its {w.Traffic.SharedPrefixTokens + (_cm.KnowledgeFitsInline ? K : 0):#,0}-token prefix cached: cost × {ratio:0.###}"));
        }
        var decision = new MeasuredDecision(R, tol, p["decision.latency_noise_fraction"], (int)p["decision.bootstrap_resamples"]);
        decision.Decide(candidates);
        if (decision.Winner is not { } winner) return null;
        _measured = decision;
        _winner = winner.Row;
        var best = decision.Best!;
        Fire("evidence.measured_winner",
            $"Measured: {string.Join("; ", decision.Table.Select(t => $"'{t.Recipe}' [{LeverKinds.Name(t.Lever)}] quality {t.Quality:0.####}{(t.CostPer1kUsd is { } c ? $", {Usd(c)}/1k" : "")}"))}. "
            + $"Best quality {best.Row.Quality:0.####} ('{best.Name}'); gains count against the best simpler lever ({LeverLadder.Text}) only when their 95% interval excludes zero and they exceed {p.Cite("decision.tolerance_points")} points; "
            + $"of the recipes as good as the best, the cheapest at {R:#,0} requests/month wins (costs within {p.Cite("decision.latency_noise_fraction")} of a local latency are equal; then the simpler lever) → '{winner.Name}' ({LeverKinds.Name(winner.Lever)}): {decision.Reason}.",
            winner.Row.Cite, ("best_quality", best.Row.Quality!.Value), ("winner_quality", winner.Row.Quality!.Value), ("winner_cost_per_1k_usd", winner.CostPer1k ?? double.NaN),
            ("gain_points", decision.Gain?.Points ?? double.NaN), ("gain_low_points", decision.Gain?.Low ?? double.NaN), ("gain_high_points", decision.Gain?.High ?? double.NaN));
        foreach (var x in candidates.Where(c => c.Excluded is not null))
            Fire("evidence.stale_weights", $"'{x.Name}' ({LeverKinds.Name(x.Lever)}) is not shipped: {x.Excluded}.", Advisor.Taskade, ("corpus_tokens", K));
        var undemonstrated = decision.Table.Where(t => t.Status != "primary" && t.Status != "excluded" && t.GainVsSimpler is { Demonstrated: false, Points: > 0 } && LeverLadder.Rank(t.Lever) > LeverLadder.Rank(winner.Lever)).ToList();
        if (undemonstrated.Count > 0)
            Fire("evidence.no_demonstrated_gain", $"No demonstrated gain, so they do not decide: {string.Join("; ", undemonstrated.Select(t => $"'{t.Recipe}' {t.GainVsSimpler!.Text} over '{t.SimplerRecipe}'"))}.", Advisor.Taskade);
        if (winner.Lever == LeverKind.Baseline)
            Fire("evidence.no_llm_needed", $"The classical baseline '{winner.Name}' ({winner.Row.Quality:0.####}) is within the tolerance of the best measured recipe: {decision.Reason}.", Advisor.Taskade,
                ("baseline_quality", winner.Row.Quality!.Value), ("best_quality", best.Row.Quality!.Value));
        return winner.Lever;
    }

    private bool RagNeeded(out string why)
    {
        var reasons = new List<string>();
        if (K > p["knowledge.inline_max_tokens"]) reasons.Add($"{K:#,0} tokens exceed {p.Cite("knowledge.inline_max_tokens")}");
        if (K > 0 && !p.List("knowledge.stable_changes").Contains(Names.Snake(w.Knowledge.Changes))) reasons.Add($"it changes {Names.Snake(w.Knowledge.Changes)}");
        if (w.Knowledge.CitationsRequired) reasons.Add("citations are required");
        if (w.Knowledge.PerUserPermissions) reasons.Add("users have per-user permissions");
        why = string.Join(", ", reasons);
        return reasons.Count > 0;
    }

    private LeverKind Rag(string why)
    {
        Fire("knowledge.large_or_changing", $"Knowledge → RAG because {why}.", Advisor.Levers,
            ("corpus_tokens", K), ("inline_max_tokens", p["knowledge.inline_max_tokens"]), ("updates_per_month", _cm.UpdatesPerMonth(w.Knowledge.Changes)));
        return LeverKind.Rag;
    }

    /// <summary>Prompting, with the shared prefix cached when volume and prefix make that cheaper.</summary>
    private LeverKind CachingOrPrompt()
    {
        var prompt = _o[LeverKind.Prompt];
        var caching = _o[LeverKind.PromptCaching];
        var prefix = w.Traffic.SharedPrefixTokens + (_cm.KnowledgeFitsInline ? K : 0);
        if (caching.Viable && R >= p["caching.min_requests_per_month"] && caching.MonthlyUsd < prompt.MonthlyUsd)
        {
            Fire("prompt.caching", $"High volume ({R:#,0}/month ≥ {p.Cite("caching.min_requests_per_month")}) and a {prefix:#,0}-token shared prefix (≥ {p.Cite("caching.min_shared_prefix_tokens")}) → prompt caching: ${caching.MonthlyUsd:#,0.##}/month vs ${prompt.MonthlyUsd:#,0.##} uncached.",
                Advisor.Taskade, ("requests_per_month", R), ("shared_prefix_tokens", prefix), ("monthly_cached_usd", caching.MonthlyUsd), ("monthly_uncached_usd", prompt.MonthlyUsd));
            return LeverKind.PromptCaching;
        }
        return LeverKind.Prompt;
    }

    /// <summary>Data, volume/value and budget checks before any fine-tuning; picks LoRA, QLoRA or full.</summary>
    private bool FineTuneGate(double? gain, out LeverKind method)
    {
        method = LeverKind.FineTuneLora;
        var data = _cm.Data;
        if (!data.Sufficient)
        {
            Fire("data.insufficient", $"Fine-tuning needs ≥ {data.MinExamples:#,0} labeled examples for {data.Band} (have {data.HaveExamples:#,0}) → prompting with few-shot while {data.MissingExamples:#,0} more are collected.",
                Advisor.Levers, ("have", data.HaveExamples), ("min", data.MinExamples), ("missing", data.MissingExamples));
            return false;
        }
        Fire("data.sufficient", $"{data.HaveExamples:#,0} labeled examples meet the {data.Band} band ({data.MinExamples:#,0}–{data.RecommendedExamples:#,0}).", Advisor.Levers,
            ("have", data.HaveExamples), ("min", data.MinExamples), ("recommended", data.RecommendedExamples));
        var minGain = p["value.min_gain_points"];
        var strong = p["volume.fine_tune_strong_requests_per_month"];
        if (gain is { } g && g < minGain && R < strong)
        {
            Fire("value.gain_too_small", $"Expected gain {g:0.#} points < {p.Cite("value.min_gain_points")} at {R:#,0} requests/month (< {strong:#,0}) does not justify fine-tuning → prompting.",
                Advisor.Xither, ("gain_points", g), ("min_gain_points", minGain), ("requests_per_month", R));
            return false;
        }
        var exploration = p["volume.exploration_max_requests_per_month"];
        if (R < exploration && !(gain >= minGain))
        {
            Fire("volume.low", $"{R:#,0} requests/month is below {p.Cite("volume.exploration_max_requests_per_month")} and no gain ≥ {minGain} points is expected: low volume stays with prompting.",
                Advisor.Xither, ("requests_per_month", R), ("exploration_max", exploration));
            return false;
        }
        method = ChooseMethod(gain);
        var option = _o[method];
        if (option.OneTimeUsd > Budget)
        {
            Fire("budget.exceeded", $"{LeverKinds.Name(method)} costs ${option.OneTimeUsd:#,0} up front, above the ${Budget:#,0} budget → prompting until the budget allows.",
                Advisor.Xither, ("one_time_usd", option.OneTimeUsd), ("budget_usd", Budget));
            _warn.Add($"{LeverKinds.Name(method)} would fix the behaviour gap but needs ${option.OneTimeUsd:#,0} up front (budget ${Budget:#,0}).");
            return false;
        }
        if (gain >= minGain)
            Fire("value.gain", $"Expected gain {gain:0.#} points ≥ {p.Cite("value.min_gain_points")} justifies the ${option.OneTimeUsd:#,0} investment (seed: ≥ {p.Cite("value.min_investment_usd")} pays for 5–10+ points).",
                Advisor.Xither, ("gain_points", gain!.Value), ("one_time_usd", option.OneTimeUsd));
        else if (R >= p["volume.fine_tune_pays_requests_per_month"])
            Fire("volume.high", $"{R:#,0} requests/month ≥ {p.Cite("volume.fine_tune_pays_requests_per_month")}{(R >= strong ? $" (≥ {strong:#,0}: strongly)" : "")}: fine-tuning pays at this volume.", Advisor.Xither, ("requests_per_month", R));
        return true;
    }

    private LeverKind ChooseMethod(double? gain)
    {
        var full = _o[LeverKind.FineTuneFull];
        if (_cm.Data.HaveExamples >= p["fine_tune.full_min_examples"] && gain >= p["fine_tune.full_min_gain_points"]
            && Budget >= Math.Max(full.OneTimeUsd, p["fine_tune.full_min_budget_usd"]))
        {
            Fire("method.full", $"{_cm.Data.HaveExamples:#,0} examples (≥ {p.Cite("fine_tune.full_min_examples")}), expected gain {gain:0.#} points (≥ {p["fine_tune.full_min_gain_points"]}) and a ${Budget:#,0} budget (≥ ${Math.Max(full.OneTimeUsd, p["fine_tune.full_min_budget_usd"]):#,0}): a major behaviour change that can afford full fine-tuning.",
                Advisor.Taskade, ("examples", _cm.Data.HaveExamples), ("budget_usd", Budget), ("full_one_time_usd", full.OneTimeUsd));
            return LeverKind.FineTuneFull;
        }
        if (_cm.HostedFineTune)
        {
            Fire("method.lora", $"LoRA by default: hosted fine-tuning of {w.Model.Small} (adapter-style, no GPU to manage).", Advisor.Taskade);
            return LeverKind.FineTuneLora;
        }
        var lora = _cm.MemoryGb("fine_tune.lora_bytes_per_param");
        var qlora = _cm.MemoryGb("fine_tune.qlora_bytes_per_param");
        var why = w.Constraints.Deployment == Deployment.OnPrem ? "on-prem: an open model, self-hosted" : "self-hosting an open model";
        if (lora <= _cm.GpuMemoryGb)
        {
            Fire("method.lora", $"{why}; LoRA on {_cm.OpenParamsB:0.#}B needs ≈{lora:0} GB ≤ the {_cm.GpuMemoryGb:0} GB GPU → LoRA.", Advisor.Taskade,
                ("params_b", _cm.OpenParamsB), ("lora_gb", lora), ("gpu_gb", _cm.GpuMemoryGb));
            return LeverKind.FineTuneLora;
        }
        Fire("method.qlora", $"{why}; LoRA on {_cm.OpenParamsB:0.#}B needs ≈{lora:0} GB > the {_cm.GpuMemoryGb:0} GB GPU, QLoRA's 4-bit base needs ≈{qlora:0} GB → QLoRA (seed: 65B fits one 48 GB GPU).", Advisor.Taskade,
            ("params_b", _cm.OpenParamsB), ("lora_gb", lora), ("qlora_gb", qlora), ("gpu_gb", _cm.GpuMemoryGb));
        return LeverKind.FineTuneQlora;
    }

    /// <summary>Quality is fine, the cost or the latency is not: distil the large model into a small one, if it pays.</summary>
    private LeverKind CostOrLatency(Diagnosis d, bool volumeMotive)
    {
        var distill = _o[LeverKind.Distill];
        var prompt = _o[LeverKind.Prompt];
        var caching = _o[LeverKind.PromptCaching];
        var cheapest = caching.Viable && caching.Tco12MonthsUsd < prompt.Tco12MonthsUsd ? caching : prompt;
        var motive = d.CostGap ? "too expensive" : d.LatencyGap ? "too slow for the latency target" : $"high volume ({R:#,0}/month)";
        if (w.Constraints.Compliance == ComplianceLevel.High)
        {
            Fire("compliance.high", $"Quality is acceptable but {motive}; with a high compliance burden the data stays outside the weights → prompting (no behaviour gap forces fine-tuning).", Advisor.Framework);
            return CachingOrPrompt();
        }
        if (distill.OneTimeUsd > Budget)
        {
            Fire("budget.exceeded", $"Distillation would address '{motive}' but costs ${distill.OneTimeUsd:#,0} up front, above the ${Budget:#,0} budget.", Advisor.Xither, ("one_time_usd", distill.OneTimeUsd), ("budget_usd", Budget));
            return CachingOrPrompt();
        }
        if (d.LatencyGap)
        {
            Fire("latency.distill", $"Quality is acceptable but {motive}: a small distilled model answers in ≈{distill.LatencyP95Ms:0} ms vs ≈{prompt.LatencyP95Ms:0} ms (target {w.Traffic.LatencyP95Ms:0} ms) → distill {w.Model.Current} into {distill.Model}.",
                Advisor.Levers, ("distilled_ms", distill.LatencyP95Ms), ("current_ms", prompt.LatencyP95Ms), ("target_ms", w.Traffic.LatencyP95Ms));
            return LeverKind.Distill;
        }
        if (distill.Tco12MonthsUsd < cheapest.Tco12MonthsUsd)
        {
            Fire("cost.distill", $"Quality is acceptable but {motive}: distilling into {distill.Model} costs ${distill.Tco12MonthsUsd:#,0} over 12 months vs ${cheapest.Tco12MonthsUsd:#,0} for {LeverKinds.Name(cheapest.Lever)} "
                + $"(${distill.CostPer1kAnswersUsd:0.###} vs ${cheapest.CostPer1kAnswersUsd:0.###} per 1k answers) → distill.",
                Advisor.Levers, ("distill_tco12_usd", distill.Tco12MonthsUsd), ("prompt_tco12_usd", cheapest.Tco12MonthsUsd), ("requests_per_month", R));
            if (R >= p["volume.fine_tune_strong_requests_per_month"])
                Fire("volume.high", $"{R:#,0} requests/month ≥ {p.Cite("volume.fine_tune_strong_requests_per_month")}: the volume strongly favours a tuned small model.", Advisor.Xither, ("requests_per_month", R));
            return LeverKind.Distill;
        }
        Fire("cost.distill_does_not_pay", $"Distillation would cost ${distill.Tco12MonthsUsd:#,0} over 12 months vs ${cheapest.Tco12MonthsUsd:#,0} for {LeverKinds.Name(cheapest.Lever)} at {R:#,0} requests/month: it does not pay back yet → prompting{(volumeMotive ? "" : " (cheaper model or caching first)")}.",
            Advisor.Xither, ("distill_tco12_usd", distill.Tco12MonthsUsd), ("prompt_tco12_usd", cheapest.Tco12MonthsUsd), ("requests_per_month", R));
        return CachingOrPrompt();
    }

    // 3) Compliance, deployment, latency and the never-fine-tune-for-facts warning.
    private void Adjust(LeverKind primary, Diagnosis d)
    {
        var tuned = Tuned.Contains(primary);
        // The workload "looks like fine-tuning for facts" when a knowledge gap meets training data or an expected
        // fine-tuning gain with no behaviour gap to spend them on, or when the chosen lever tunes weights alone.
        var factsIntoWeights = d.KnowledgeGap
            && ((!d.BehaviourGap && (w.Data.LabeledExamples > 0 || w.Quality.ExpectedFineTuneGainPoints is not null)) || (tuned && primary != LeverKind.Hybrid));
        if (factsIntoWeights)
            _warn.Add($"Do not fine-tune to add facts: the wrong/outdated facts are a knowledge gap; weights {(w.Knowledge.Changes >= ChangeFrequency.Weekly ? $"would be stale within a {Names.Snake(w.Knowledge.Changes)} change cycle" : "do not reliably learn facts")}. Retrieval (or the system prompt) fixes facts; fine-tuning fixes form. [{Advisor.Taskade}]");
        if (tuned && primary is not LeverKind.Distill && !_cm.Data.Sufficient)
            _warn.Add($"Only {_cm.Data.HaveExamples:#,0} labeled examples for {LeverKinds.Name(primary)}; the {_cm.Data.Band} band starts at {_cm.Data.MinExamples:#,0}.");
        if (w.Constraints.Compliance == ComplianceLevel.High)
        {
            if (tuned)
                Fire("compliance.audit", "High compliance and tuned weights: register every model version, keep an audit trail of training data and changes, and run drift checks before and after each retrain.", Advisor.Framework);
            else
                Fire("compliance.prefer_external", "High compliance: data stays outside the weights with prompting/RAG, which keeps audits to the documents and prompts.", Advisor.Framework);
        }
        if (w.Constraints.Deployment == Deployment.OnPrem)
        {
            if (b.Model(w.Model.Current) is not null && !tuned)
                _warn.Add($"On-prem deployment: '{w.Model.Current}' is a hosted API. Serve an open model on your own GPUs (set model.current to it and model.self_hosted_params_b) — the costs above assume the hosted price.");
            if (_winner is { ModelParams: { } size })
                Fire("deployment.on_prem", $"On-prem / data residency: the measured winner is {_winner.Model ?? "a model"} ({Params(size)}) that was trained and served on the lab's own machine{(_winner.LatencyP95Ms is { } l ? $" (p95 {l:0.#} ms)" : "")}; it stays on your hardware as measured.",
                    _winner.Cite, ("params", size));
            else
                Fire("deployment.on_prem", $"On-prem / data residency → open model ({_cm.OpenParamsB:0.#}B) with LoRA/QLoRA, self-hosted on {_cm.GpuMemoryGb:0} GB GPUs.", Advisor.Xither, ("params_b", _cm.OpenParamsB), ("gpu_gb", _cm.GpuMemoryGb));
        }
        var option = _o[primary];
        if (d.LatencyGap)
        {
            if (primary is LeverKind.Rag or LeverKind.Hybrid)
                _warn.Add($"Tight latency ({w.Traffic.LatencyP95Ms:0} ms): keep retrieval to one step (no multi-hop chains, no re-ranking LLM calls); retrieval adds ≈{p["rag.retrieval_ms"]:0} ms. A small fine-tuned model for generation keeps the rest short.");
            if (primary is LeverKind.FineTuneLora or LeverKind.FineTuneQlora or LeverKind.Hybrid or LeverKind.Distill)
                Fire("latency.merged_lora", "A merged LoRA adapter adds no inference latency; the small tuned model is the latency win.", Advisor.Taskade);
        }
        if (option.LatencyP95Ms > w.Traffic.LatencyP95Ms)
            _warn.Add($"Estimated p95 for {LeverKinds.Name(primary)} is ≈{option.LatencyP95Ms:0} ms, above the {w.Traffic.LatencyP95Ms:0} ms target ({option.LatencyBasis}).");
        if (_winner is { TrainingUsd: { } measuredOnce })
        {
            if (measuredOnce > Budget)
                _warn.Add($"Training the measured winner cost ≈{Usd(measuredOnce)}, above the ${Budget:#,0} budget.");
        }
        else if (option.OneTimeUsd > Budget)
        {
            _warn.Add($"{LeverKinds.Name(primary)} costs ≈${option.OneTimeUsd:#,0} up front (mostly engineering time), above the ${Budget:#,0} budget.");
        }
        if (!option.Viable && option.WhyNot is not null)
            _warn.Add($"{LeverKinds.Name(primary)}: {option.WhyNot}.");
        if (Has(Symptom.DomainVocabulary) && primary != LeverKind.ContinuedPretraining)
            _warn.Add("Domain vocabulary: add a glossary of the terms to the system prompt (or the index) until there is a corpus for continued pre-training.");
    }

    private List<LeverOption> WithBreakEven(LeverKind primary)
    {
        var main = _o[primary];
        return LeverKinds.All.Where(_o.ContainsKey).Select(l => _o[l]).Select(o =>
        {
            if (o.Lever == primary) return o with { BreakEvenNote = "primary" };
            var be = BreakEven.Find(o.Tco12At, main.Tco12At);
            var note = be switch
            {
                { Volume: { } v } => $"{(be.CheaperAbove ? "cheaper" : "dearer")} above {v.ToString("#,0", CultureInfo.InvariantCulture)}/month",
                { AlwaysCheaper: true } => "cheaper at all volumes",
                { Identical: true } => "same cost at all volumes",
                _ => "dearer at all volumes",
            };
            return o with { BreakEvenRequestsPerMonth = be.Volume, BreakEvenNote = note };
        }).ToList();
    }
}
