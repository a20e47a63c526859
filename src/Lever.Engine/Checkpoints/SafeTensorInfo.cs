namespace Lever.Engine.Checkpoints;

/// <summary>One entry of a safetensors header: where a tensor's bytes are and what they hold.</summary>
/// <param name="Name">Tensor name (an HF state-dict key).</param>
/// <param name="Dtype">safetensors dtype: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Begin">Start of the bytes, relative to the end of the header.</param>
/// <param name="End">End (exclusive) of the bytes, relative to the end of the header.</param>
public sealed record SafeTensorInfo(string Name, string Dtype, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}
