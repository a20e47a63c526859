namespace Lever.Retrieval;

/// <summary>How hybrid search combines the BM25 and vector rankings.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion: Σ weight / (k + rank); ranks only.</summary>
    ReciprocalRank,

    /// <summary>Relative score fusion: min-max normalised scores, (1 − share)·BM25 + share·vector.</summary>
    RelativeScore,
}
