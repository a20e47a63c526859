namespace Lever.Evals.Recipes;

/// <summary>Retrieval for a recipe: off, or an index name and how many passages to put in the prompt.</summary>
public sealed class RetrievalOptions
{
    /// <summary>Index name (under <c>indexes:</c> in lever.yaml); null means retrieval is off.</summary>
    public string? Index { get; set; }

    /// <summary>
    /// Retrievers: <c>bm25</c>, <c>vector</c> or <c>hybrid</c>; null (the default) is hybrid when the index has vectors, else
    /// BM25. Left out of the recipe's identity while null, so recipes written before it keep their cached answers.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Mode { get; set; }

    /// <summary>Passages per question.</summary>
    public int K { get; set; } = 4;

    /// <summary>True when the recipe retrieves.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Index);
}
