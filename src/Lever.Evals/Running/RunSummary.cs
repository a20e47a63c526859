namespace Lever.Evals.Running;

/// <summary>
/// summary.json of a run: the evidence the advisor and <c>lever compare</c> read. Field names (snake_case) are a
/// contract: run, recipe, items, completed, failed, metrics, cost_usd, latency_ms_p50, latency_ms_p95, diagnosis.
/// </summary>
public sealed record RunSummary
{
    /// <summary>Run id (folder name under .lever/runs).</summary>
    public required string Run { get; init; }

    /// <summary>Recipe name.</summary>
    public required string Recipe { get; init; }

    /// <summary>The lever the recipe exercises (the advisor's vocabulary: baseline, prompt, rag, fine_tune_lora, …), when the recipe says.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Lever { get; init; }

    /// <summary>Recipe identity hash.</summary>
    public required string RecipeHash { get; init; }

    /// <summary>Provider name of the recipe.</summary>
    public string? Provider { get; init; }

    /// <summary>Model of the recipe.</summary>
    public string? Model { get; init; }

    /// <summary>Eval set path.</summary>
    public required string Set { get; init; }

    /// <summary>Eval set hash.</summary>
    public required string SetHash { get; init; }

    /// <summary>Items in the set.</summary>
    public int Items { get; init; }

    /// <summary>Items with a result.</summary>
    public int Completed { get; init; }

    /// <summary>Items whose model call failed (left for a resumed run).</summary>
    public int Failed { get; init; }

    /// <summary>Completed items whose primary scorer passed.</summary>
    public int Passed { get; init; }

    /// <summary>
    /// Metric name → value: pass_rate, each scorer's mean, accuracy (label accuracy for label recipes, else the
    /// pass rate of the primary scorer), macro_f1 and the confusion matrix for label recipes, retrieval metrics.
    /// </summary>
    public required SortedDictionary<string, double> Metrics { get; init; }

    /// <summary>Total USD over completed items.</summary>
    public double CostUsd { get; init; }

    /// <summary>USD per 1,000 answers.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("cost_per_1k_usd")]
    public double CostPer1kUsd { get; init; }

    /// <summary>Median answer latency, ms.</summary>
    public double LatencyMsP50 { get; init; }

    /// <summary>95th-percentile answer latency, ms.</summary>
    public double LatencyMsP95 { get; init; }

    /// <summary>Total input tokens (cached included).</summary>
    public long InputTokens { get; init; }

    /// <summary>Total cached input tokens.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Total output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Failed-answer count per category: knowledge, behaviour, prompt, capability.</summary>
    public required SortedDictionary<string, int> Diagnosis { get; init; }

    /// <summary>Category → the lever it points to.</summary>
    public required SortedDictionary<string, string> Levers { get; init; }

    /// <summary>
    /// Unanswered items per model-call failure category (rate_limit, server, timeout, unreachable, client, error).
    /// Not named "failures": the advisor reads that key as diagnosis counts.
    /// </summary>
    public required SortedDictionary<string, int> CallFailures { get; init; }

    /// <summary>Per item tag: items completed and the primary scorer's pass rate among them.</summary>
    public SortedDictionary<string, TagSlice> ByTag { get; init; } = [];

    /// <summary>confusion[gold][predicted] for label recipes.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? Confusion { get; init; }

    /// <summary>When the run (or its last resume) finished, UTC ISO-8601.</summary>
    public required string FinishedAt { get; init; }
}
