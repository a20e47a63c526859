namespace Lever.Evals.Composition;

/// <summary>lever.yaml's <c>evals:</c> section: workspace-wide settings of eval runs.</summary>
public sealed class EvalsSettings
{
    /// <summary>USD per hour of the machine a local model runs on (charged per second of answer time).</summary>
    public double ComputePricePerHour { get; set; }

    /// <summary>USD per million embedding tokens, for embedding few-shot selection.</summary>
    public double EmbeddingPricePerMillion { get; set; }

    /// <summary>USD per retrieval query (query embedding and search), charged to each answer of a retrieving recipe.</summary>
    public double RetrievalCostPerQuery { get; set; }

    /// <summary>Index the diagnosis probes for missing facts when a recipe does not retrieve.</summary>
    public string? CorpusIndex { get; set; }

    /// <summary>Whether the provider counts cached tokens inside input tokens (true for OpenAI-compatible APIs).</summary>
    public bool CachedTokensInInput { get; set; } = true;

    /// <summary>Provider whose model names the gap of failures the diagnosis heuristics cannot place (optional).</summary>
    public string? DiagnosisJudge { get; set; }

    /// <summary>Default concurrency of <c>lever eval</c>.</summary>
    public int Concurrency { get; set; } = 4;
}
