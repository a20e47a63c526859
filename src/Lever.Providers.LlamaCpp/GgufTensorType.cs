namespace Lever.Providers.LlamaCpp;

/// <summary>One tensor of a quantized export and the type it was written as.</summary>
/// <param name="Name">The tensor's GGUF name.</param>
/// <param name="Type">Its ggml type (F32, F16, Q8_0, Q4_K, Q6_K, Q5_0, …).</param>
/// <param name="Dimensions">ggml's ne, innermost first.</param>
/// <param name="Note">Why it is not the requested type (a fallback, a 1-D norm), or null.</param>
public sealed record GgufTensorType(string Name, string Type, IReadOnlyList<long> Dimensions, string? Note);
