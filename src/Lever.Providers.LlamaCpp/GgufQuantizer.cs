// Quantized GGUF export with llama.cpp's own quantizer (llama_model_quantize through LLamaSharp's LLamaQuantizer).
// llama.cpp falls back by itself for K-quants whose 256-wide blocks do not fit a row (Q4_K → Q5_0, Q6_K → Q8_0, then
// F16) but refuses a Q8_0 file outright when one row is not a multiple of 32 (the tiny preset's 344-wide ffn_down).
// For Q8_0 the tensors that do not fit are therefore set aside, the rest is quantized by llama.cpp, and the file is
// reassembled with the set-aside tensors as F16 — the stated fallback — keeping llama.cpp's metadata bytes as written.
using System.Buffers.Binary;
using System.Text;
using LLama;
using LLama.Native;
using Lever.Core;
using Lever.Providers.LlamaCpp.Gguf;
using Lever.Providers.LlamaCpp.Internal;

namespace Lever.Providers.LlamaCpp;

/// <summary>Turns an F32 GGUF (what <c>lever model export-gguf</c> writes) into q8_0 or q4_k_m with llama.cpp's quantizer.</summary>
public static class GgufQuantizer
{
    /// <summary>The types <see cref="Quantize"/> writes.</summary>
    public static IReadOnlyList<string> Types { get; } = ["q8_0", "q4_k_m"];

    /// <summary>The type a Q8_0 tensor whose rows are not a multiple of 32 is written as.</summary>
    public const string Q8Fallback = "F16";

    /// <summary>
    /// Quantizes <paramref name="f32Gguf"/> into <paramref name="output"/> as <paramref name="type"/> and lists every
    /// tensor's resulting type. Norms (1-D) stay F32, as llama.cpp keeps them.
    /// </summary>
    public static IReadOnlyList<GgufTensorType> Quantize(string f32Gguf, string output, string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var ftype = type.ToLowerInvariant() switch
        {
            "q8_0" => LLamaFtype.MOSTLY_Q8_0,
            "q4_k_m" => LLamaFtype.MOSTLY_Q4_K_M,
            _ => throw new LeverUserException($"--type {type} is not a quantization llama.cpp is asked for here", "use q8_0 or q4_k_m (or f32/f16, written without quantizing)"),
        };
        var input = GgufValidator.ValidateFile(f32Gguf);
        LlamaNative.EnsureLoaded();
        var temp = output + ".quantizing";
        var setAside = ftype == LLamaFtype.MOSTLY_Q8_0
            ? input.Tensors.Where(t => t.Dimensions.Count >= 2 && t.Dimensions[0] % 32 != 0).ToList()
            : [];
        if (setAside.Any(t => t.Name.Contains("attn_v", StringComparison.Ordinal) || t.Name.Contains("attn_qkv", StringComparison.Ordinal)))
            throw new LeverUserException($"{f32Gguf}: the attention width is not a multiple of 32, so llama.cpp cannot write Q8_0 for it", "use --type f16 or q4_k_m");
        var source = f32Gguf;
        var subset = output + ".subset";
        try
        {
            if (setAside.Count > 0)
            {
                var names = setAside.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
                Rewrite(input, f32Gguf, input.Tensors.Where(t => !names.Contains(t.Name)).Select(t => (t, f32Gguf, input)).ToList(), subset, convertToF16: _ => false);
                source = subset;
            }
            if (!LLamaQuantizer.Quantize(source, temp, ftype, Environment.ProcessorCount, allowRequantize: false, quantizeOutputTensor: true))
                throw new LeverUserException($"{f32Gguf}: llama.cpp's quantizer refused it as {type}: {LlamaNative.TakeErrors()}".TrimEnd(), "use --type f16, or a model whose widths are multiples of the block size");
            var quantized = GgufValidator.ValidateFile(temp);
            if (setAside.Count > 0)
            {
                var byName = quantized.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
                var aside = setAside.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
                var rows = input.Tensors.Select(t => aside.Contains(t.Name) ? (t, f32Gguf, input) : (byName[t.Name], temp, quantized)).ToList();
                Rewrite(quantized, temp, rows, output, convertToF16: t => aside.Contains(t.Name));
                File.Delete(temp);
            }
            else File.Move(temp, output, overwrite: true);
        }
        finally
        {
            if (File.Exists(subset)) File.Delete(subset);
            if (File.Exists(temp)) File.Delete(temp);
        }
        var written = GgufValidator.ValidateFile(output);
        var requested = ftype == LLamaFtype.MOSTLY_Q8_0 ? "Q8_0" : "Q4_K";
        return written.Tensors.Select(t => new GgufTensorType(t.Name, t.Type, t.Dimensions, t.Type == requested || (requested == "Q4_K" && t.Type == "Q6_K" && t.Dimensions[0] % 256 == 0) ? null
            : t.Dimensions.Count == 1 ? "1-D, kept F32"
            : t.Dimensions[0] % (requested == "Q8_0" ? 32 : 256) != 0 ? $"rows of {t.Dimensions[0]} do not fit {requested}'s blocks of {(requested == "Q8_0" ? 32 : 256)}: fallback"
            : null)).ToList();
    }

    /// <summary>
    /// Writes a GGUF with <paramref name="metadataFrom"/>'s metadata bytes and the given tensors (data copied from their
    /// files; F32 tensors converted to F16 where <paramref name="convertToF16"/> says so), aligned as that file is.
    /// </summary>
    private static void Rewrite(GgufFile metadataFrom, string metadataPath, IReadOnlyList<(GgufTensorInfo Tensor, string Path, GgufFile File)> tensors, string output, Func<GgufTensorInfo, bool> convertToF16)
    {
        var alignment = (ulong)metadataFrom.Alignment;
        using var outStream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new BinaryWriter(outStream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadataFrom.Metadata.Count);
        using (var meta = File.OpenRead(metadataPath))
        {
            meta.Position = 24;
            CopyBytes(meta, outStream, metadataFrom.TensorTableOffset - 24);
        }
        ulong offset = 0;
        var plan = new List<(GgufTensorInfo Tensor, string Path, bool ToF16, ulong Bytes)>();
        foreach (var (t, path, _) in tensors)
        {
            var toF16 = convertToF16(t) && t.Type == "F32";
            var type = toF16 ? "F16" : t.Type;
            var bytes = toF16 ? (ulong)t.Bytes / 2 : (ulong)t.Bytes;
            var name = Encoding.UTF8.GetBytes(t.Name);
            w.Write((ulong)name.Length);
            w.Write(name);
            w.Write((uint)t.Dimensions.Count);
            foreach (var d in t.Dimensions) w.Write((ulong)d);
            w.Write(GgmlTypes.IdOf(type));
            w.Write(offset);
            plan.Add((t, path, toF16, bytes));
            offset += (bytes + alignment - 1) / alignment * alignment;
        }
        w.Flush();
        Pad(outStream, alignment);
        foreach (var (t, path, toF16, _) in plan)
        {
            using var src = File.OpenRead(path);
            src.Position = t.Offset;
            if (!toF16) CopyBytes(src, outStream, t.Bytes);
            else
            {
                var buffer = new byte[1 << 16];
                var half = new byte[buffer.Length / 2];
                for (var left = t.Bytes; left > 0;)
                {
                    var n = (int)Math.Min(buffer.Length, left);
                    src.ReadExactly(buffer, 0, n);
                    for (var i = 0; i < n / 4; i++)
                        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(i * 2), (Half)BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(i * 4)));
                    outStream.Write(half, 0, n / 2);
                    left -= n;
                }
            }
            Pad(outStream, alignment);
        }
    }

    private static void CopyBytes(Stream from, Stream to, long count)
    {
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var n = from.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0) throw new EndOfStreamException();
            to.Write(buffer, 0, n);
            count -= n;
        }
    }

    private static void Pad(Stream stream, ulong alignment)
    {
        var pad = (int)((alignment - (ulong)stream.Position % alignment) % alignment);
        for (var i = 0; i < pad; i++) stream.WriteByte(0);
    }
}
