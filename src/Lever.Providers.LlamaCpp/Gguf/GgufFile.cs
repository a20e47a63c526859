namespace Lever.Providers.LlamaCpp.Gguf;

/// <summary>What <see cref="GgufValidator"/> read from a GGUF file that passed every check.</summary>
/// <param name="FileName">The name the caller gave (used in every message).</param>
/// <param name="Version">GGUF version (2 or 3).</param>
/// <param name="Architecture">general.architecture.</param>
/// <param name="Metadata">Scalar and string metadata by key; arrays appear as their element count (<c>long</c>).</param>
/// <param name="Tensors">The tensor table, in file order.</param>
/// <param name="Alignment">general.alignment (32 when absent).</param>
/// <param name="DataOffset">Where the tensor data section starts.</param>
public sealed record GgufFile(string FileName, uint Version, string Architecture, IReadOnlyDictionary<string, object> Metadata,
    IReadOnlyList<GgufTensorInfo> Tensors, int Alignment, long DataOffset)
{
    /// <summary>A string metadata value, or null when the key is absent or not a string.</summary>
    public string? String(string key) => Metadata.TryGetValue(key, out var v) ? v as string : null;

    /// <summary>Where the tensor table starts (the metadata ends) — for rewriting a file with its metadata bytes kept.</summary>
    internal long TensorTableOffset { get; init; }

    /// <summary>The chat template (tokenizer.chat_template), or null.</summary>
    public string? ChatTemplate => String("tokenizer.chat_template");
}
