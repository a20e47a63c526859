namespace Lever.Advisor;

/// <summary>Which gaps the workload shows, from declared symptoms or from measured failure categories.</summary>
public sealed record Diagnosis
{
    /// <summary>Wrong or outdated facts: a knowledge gap (→ RAG).</summary>
    public bool KnowledgeGap { get; init; }

    /// <summary>Inconsistent format or tone after prompting: a behaviour gap (→ fine-tuning).</summary>
    public bool BehaviourGap { get; init; }

    /// <summary>The brief is not followed: a prompt gap (→ better prompt + few-shot).</summary>
    public bool PromptGap { get; init; }

    /// <summary>Quality acceptable, cost too high.</summary>
    public bool CostGap { get; init; }

    /// <summary>Quality acceptable, answers too slow (declared, or the target is below today's estimated p95).</summary>
    public bool LatencyGap { get; init; }

    /// <summary>The answers depend on knowledge (a gap, a corpus, citations or permissions).</summary>
    public bool KnowledgeNeed { get; init; }

    /// <summary>"declared symptoms" or the evidence recipe the failure categories came from.</summary>
    public required string Source { get; init; }
}
