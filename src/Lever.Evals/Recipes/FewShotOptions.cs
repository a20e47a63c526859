namespace Lever.Evals.Recipes;

/// <summary>Few-shot policy: which solved examples go before the question.</summary>
public sealed class FewShotOptions
{
    /// <summary><c>none</c>, <c>fixed</c> (the first k of the pool) or <c>nearest</c> (the k most similar to the input).</summary>
    public string Mode { get; set; } = "none";

    /// <summary>How many examples.</summary>
    public int K { get; set; } = 3;

    /// <summary>Labeled pool (JSONL with input/expected, like an eval set), relative to the workspace.</summary>
    public string? Pool { get; set; }

    /// <summary>For <c>nearest</c>: <c>lexical</c> (token overlap, no model calls) or <c>embedding</c> (cosine of embeddings).</summary>
    public string Similarity { get; set; } = "lexical";
}
