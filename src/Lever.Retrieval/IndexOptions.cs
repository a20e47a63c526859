namespace Lever.Retrieval;

/// <summary>
/// One entry under <c>indexes:</c> in lever.yaml. Every field is optional; a CLI flag wins over the file.
/// <code>
/// indexes:
///   docs:
///     chunk_tokens: 200
///     chunk_overlap: 40
///     rules:
///       - match: "hr/**"
///         groups: [hr]
/// </code>
/// </summary>
public sealed class IndexOptions
{
    /// <summary>Default folder (or file) to ingest when <c>lever index add</c> is given no path.</summary>
    public string? Path { get; set; }

    /// <summary>Glob patterns (relative to the ingested root) of files to include; default: every supported file.</summary>
    public List<string>? Include { get; set; }

    /// <summary>Glob patterns of files to leave out.</summary>
    public List<string>? Exclude { get; set; }

    /// <summary>Token budget of a chunk (words and punctuation runs, not model tokens).</summary>
    public int ChunkTokens { get; set; } = ChunkingOptions.DefaultMaxTokens;

    /// <summary>Tokens repeated between consecutive chunks of one section, so a sentence cut at a boundary is still found.</summary>
    public int ChunkOverlap { get; set; } = ChunkingOptions.DefaultOverlapTokens;

    /// <summary>For .jsonl corpora: the field that holds the text (default <c>text</c>).</summary>
    public string TextField { get; set; } = "text";

    /// <summary>Name of the provider (under <c>providers:</c>) whose embedding model builds dense vectors; none = BM25 only.</summary>
    public string? Embedding { get; set; }

    /// <summary>Path rules that set tags and allowed principals; every matching rule applies, in order.</summary>
    public List<PathRule>? Rules { get; set; }

    /// <summary>The chunking settings these options describe.</summary>
    public ChunkingOptions ToChunking() => new(ChunkTokens, ChunkOverlap);
}
