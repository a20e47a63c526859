namespace Lever.Engine.Gguf;

/// <summary>What <see cref="GgufExporter.Export"/> wrote.</summary>
/// <param name="Path">The .gguf file.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Tensors">Number of tensors.</param>
/// <param name="PreTokenizer">The tokenizer.ggml.pre value chosen (llama.cpp's name for the split regex).</param>
public sealed record GgufExport(string Path, long Bytes, int Tensors, string PreTokenizer);
