namespace Lever.Retrieval;

/// <summary>How documents are cut into chunks: a token budget per chunk and the overlap between neighbours.</summary>
/// <param name="MaxTokens">Most tokens in one chunk.</param>
/// <param name="OverlapTokens">Tokens a chunk repeats from the end of the previous chunk of the same section.</param>
public sealed record ChunkingOptions(int MaxTokens = ChunkingOptions.DefaultMaxTokens, int OverlapTokens = ChunkingOptions.DefaultOverlapTokens)
{
    /// <summary>Default budget: small enough that BM25 scores a passage, large enough to hold an answer.</summary>
    public const int DefaultMaxTokens = 200;

    /// <summary>Default overlap, a sentence or two.</summary>
    public const int DefaultOverlapTokens = 30;

    /// <summary>Throws a user error when the numbers cannot work.</summary>
    public void Validate()
    {
        if (MaxTokens < 8) throw new Lever.Core.LeverUserException($"chunk_tokens is {MaxTokens}: it must be at least 8", "set chunk_tokens to 100-400 in lever.yaml (indexes:)");
        if (OverlapTokens < 0 || OverlapTokens >= MaxTokens / 2)
            throw new Lever.Core.LeverUserException($"chunk_overlap is {OverlapTokens}: it must be between 0 and half of chunk_tokens ({MaxTokens / 2})", "lower chunk_overlap in lever.yaml (indexes:)");
    }
}
