namespace Lever.Providers.LlamaCpp.Gguf;

/// <summary>One row of a GGUF file's tensor table, as <see cref="GgufValidator"/> checked it.</summary>
/// <param name="Name">The tensor's name (<c>blk.0.attn_q.weight</c>).</param>
/// <param name="Dimensions">ggml's <c>ne</c>, innermost first.</param>
/// <param name="Type">The ggml type's name (<c>F32</c>, <c>Q8_0</c>, …).</param>
/// <param name="Offset">Byte offset of its data from the start of the file.</param>
/// <param name="Bytes">Size of its data.</param>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, string Type, long Offset, long Bytes);
