using Lever.Core.Prices;
using Lever.Advisor.Internal;

namespace Lever.Advisor;

/// <summary>
/// The decision framework of the seed articles as a pure function: workload + prices + policy + evidence in,
/// <see cref="Advice"/> out. Order of the rules: measured evidence first; then unsupported language and domain
/// vocabulary (pre-training levers); then the gap diagnosis — knowledge → RAG or system prompt/caching,
/// behaviour → fine-tuning (if data, volume/value and budget allow), both → hybrid, cost/latency → distillation;
/// then compliance, deployment and latency adjust the plan and add warnings.
/// </summary>
public static class Advisor
{
    internal const string Taskade = "seed 003: Taskade, 'Fine-tuning vs RAG vs prompting' (behaviour vs knowledge; caching; LoRA/QLoRA)";
    internal const string Levers = "seed 002: 'Three levers' guide (decision tree, data bands, distillation, pragmatic path)";
    internal const string Xither = "seed 001: Xither, 'Fine-Tuning vs. Prompting' (volume and value thresholds)";
    internal const string Framework = "seed 004: 'Decision Framework for Fine-Tuning LLMs' (compliance, maintenance)";
    internal const string Verghote = "seed 000: Verghote, Towards AI (cost, control, compliance; CPT and from-scratch)";

    /// <summary>Advises on <paramref name="workload"/> with the given prices, policy and (possibly empty) evidence, as of today (UTC).</summary>
    public static Advice Advise(Workload workload, PriceBook prices, AdvisorPolicy policy, IReadOnlyList<RecipeEvidence> evidence)
        => Advise(workload, prices, policy, evidence, DateOnly.FromDateTime(DateTime.UtcNow));

    /// <summary>Advises as of <paramref name="today"/> (the injected clock): hosted offers closed or closing on that date are never planned.</summary>
    public static Advice Advise(Workload workload, PriceBook prices, AdvisorPolicy policy, IReadOnlyList<RecipeEvidence> evidence, DateOnly today)
        => new AdvisorRun(workload, prices, policy, evidence, today).Decide();
}
