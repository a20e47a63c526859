// A managed reader of GGUF's header, metadata and tensor table (ggml-org/ggml docs/gguf.md; the checks follow
// ggml/src/gguf.cpp's gguf_init_from_file_impl and add what llama.cpp asserts on later), run before llama.cpp opens a
// file: native code can abort the process on a malformed file, a LeverUserException cannot.
using Lever.Core;
using Lever.Providers.LlamaCpp.Internal;

namespace Lever.Providers.LlamaCpp.Gguf;

/// <summary>
/// Checks a GGUF file completely enough that llama.cpp will not crash on it: magic, version, counts, every metadata
/// key/value (types, lengths), the tensor table (names, dimensions, ggml types, block sizes, offsets, alignment,
/// sizes inside the file), the architecture and the vocabulary arrays. Pure over the bytes: no native code.
/// </summary>
public static class GgufValidator
{
    /// <summary>Most tensors a file may declare.</summary>
    public const int MaxTensors = 1 << 20;

    /// <summary>Most metadata key/values a file may declare.</summary>
    public const int MaxMetadata = 1 << 20;

    /// <summary>Most elements in one metadata array.</summary>
    public const int MaxArrayLength = 1 << 26;

    /// <summary>Longest key (bytes).</summary>
    public const int MaxKeyBytes = 1 << 16;

    /// <summary>Longest string value (bytes).</summary>
    public const int MaxStringBytes = 1 << 26;

    private const int MaxNameBytes = 63;        // GGML_MAX_NAME - 1
    private const int MaxDims = 4;              // GGML_MAX_DIMS
    private const int DefaultAlignment = 32;

    private enum ValueType : uint { UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12 }

    /// <summary>Validates the file at <paramref name="path"/>; a user error naming it when it is missing or bad.</summary>
    public static GgufFile ValidateFile(string path)
    {
        if (!File.Exists(path))
            throw new LeverUserException($"{path}: no such GGUF file", "check the path; `lever model export-gguf` writes one from a checkpoint folder");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Validate(stream, path);
    }

    /// <summary>
    /// Validates the GGUF in <paramref name="stream"/> (seekable, read from its current position to its end) and
    /// returns what it read; any defect is one <see cref="LeverUserException"/> whose message starts with
    /// <paramref name="fileName"/>. No other exception escapes for any content.
    /// </summary>
    public static GgufFile Validate(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("the GGUF validator needs a seekable stream", nameof(stream));
        try
        {
            return Read(new GgufReader(stream), fileName);
        }
        catch (GgufFormatException e)
        {
            throw new LeverUserException($"{fileName}: not a usable GGUF file: {e.Message}",
                "re-download or re-export it (`lever model export-gguf`); a file that is still being written or was cut short fails here");
        }
    }

    private static GgufFile Read(GgufReader r, string fileName)
    {
        var start = r.Position;
        if (r.Remaining < 4) throw new GgufFormatException($"{r.Remaining} bytes is too short for a GGUF header");
        var magic = r.Bytes(4, "magic");
        if (!magic.SequenceEqual("GGUF"u8))
            throw new GgufFormatException($"no GGUF magic (the file starts with {Convert.ToHexString(magic)}, a GGUF starts with 47475546 \"GGUF\")");
        var version = r.U32("version");
        if (version is 1) throw new GgufFormatException("GGUF version 1 is no longer read by llama.cpp");
        if (version is not (2 or 3))
            throw new GgufFormatException((version & 0xFFFF) == 0 && version != 0
                ? $"version {version} looks byte-swapped: big-endian GGUF files are not supported"
                : $"GGUF version {version} is unknown (2 and 3 are read)");
        var tensorCount = r.U64("tensor count");
        var kvCount = r.U64("metadata count");
        if (tensorCount > MaxTensors) throw new GgufFormatException($"it declares {tensorCount} tensors; the limit is {MaxTensors}");
        if (kvCount > MaxMetadata) throw new GgufFormatException($"it declares {kvCount} metadata entries; the limit is {MaxMetadata}");
        if (kvCount * 12 > (ulong)r.Remaining) throw new GgufFormatException($"truncated: it declares {kvCount} metadata entries but only {r.Remaining} bytes follow");

        // 1) metadata
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        var arrayTypes = new Dictionary<string, ValueType>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            var key = r.String($"metadata key #{i}", MaxKeyBytes);
            if (key.Length == 0) throw new GgufFormatException($"metadata key #{i} is empty");
            if (metadata.ContainsKey(key)) throw new GgufFormatException($"metadata key '{key}' appears twice");
            var type = (ValueType)r.U32($"type of '{key}'");
            if (type == ValueType.Array)
            {
                var elementType = (ValueType)r.U32($"element type of '{key}'");
                var count = r.U64($"length of '{key}'");
                if (elementType == ValueType.Array) throw new GgufFormatException($"'{key}' is an array of arrays, which GGUF readers refuse");
                if (!Enum.IsDefined(elementType)) throw new GgufFormatException($"'{key}' has unknown element type {(uint)elementType}");
                if (count > MaxArrayLength) throw new GgufFormatException($"'{key}' claims {count} elements; the limit is {MaxArrayLength}");
                var least = elementType == ValueType.String ? 8 : ScalarSize(elementType);
                if (count * (ulong)least > (ulong)r.Remaining) throw new GgufFormatException($"truncated: '{key}' claims {count} elements at offset {r.Position}, the file ends at {r.Length}");
                if (elementType == ValueType.String)
                    for (ulong k = 0; k < count; k++) r.SkipString($"'{key}'[{k}]", MaxStringBytes);
                else if (elementType == ValueType.Bool)
                    for (ulong k = 0; k < count; k++) CheckBool(r.U8($"'{key}'[{k}]"), $"'{key}'[{k}]");
                else
                    r.SkipBytes((long)count * ScalarSize(elementType), $"'{key}' ({count} elements)");
                metadata[key] = (long)count;
                arrayTypes[key] = elementType;
            }
            else
            {
                if (!Enum.IsDefined(type)) throw new GgufFormatException($"'{key}' has unknown value type {(uint)type}");
                metadata[key] = ReadScalar(r, type, $"'{key}'");
            }
        }

        var alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var a))
        {
            if (a is not uint au) throw new GgufFormatException("general.alignment must be a uint32");
            if (au == 0 || (au & (au - 1)) != 0 || au > 1 << 20) throw new GgufFormatException($"general.alignment is {au}; it must be a power of two (at most 2^20)");
            alignment = (int)au;
        }
        if (metadata.GetValueOrDefault("general.architecture") is not string architecture)
            throw new GgufFormatException(metadata.ContainsKey("general.architecture") ? "general.architecture is not a string" : "general.architecture is missing");
        if (!LlamaCppArchitectures.Known.Contains(architecture))
            throw new GgufFormatException($"architecture '{architecture}' is not one this llama.cpp build loads");
        CheckVocabulary(metadata, arrayTypes);

        // 2) tensor table
        var tableOffset = r.Position;
        if (tensorCount * 24 > (ulong)r.Remaining) throw new GgufFormatException($"truncated: it declares {tensorCount} tensors but only {r.Remaining} bytes follow");
        var rows = new List<(string Name, long[] Dims, GgmlTypes.Traits Type, ulong Offset, long Bytes)>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            var name = r.String($"name of tensor #{i}", MaxKeyBytes);
            if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes) throw new GgufFormatException($"tensor name '{name[..Math.Min(name.Length, 80)]}' is longer than {MaxNameBytes} bytes");
            if (!names.Add(name)) throw new GgufFormatException($"tensor '{name}' appears twice");
            var nDims = r.U32($"dimension count of '{name}'");
            if (nDims is 0 or > MaxDims) throw new GgufFormatException($"tensor '{name}' has {nDims} dimensions (1 to {MaxDims} are allowed)");
            var dims = new long[nDims];
            long elements = 1;
            for (var d = 0; d < nDims; d++)
            {
                var ne = r.U64($"dimension {d} of '{name}'");
                if (ne > long.MaxValue) throw new GgufFormatException($"tensor '{name}' dimension {d} is {ne}");
                dims[d] = (long)ne;
                if (ne != 0 && elements > long.MaxValue / (long)ne) throw new GgufFormatException($"tensor '{name}' has more than 2^63 elements");
                elements *= (long)ne;
            }
            var typeId = r.U32($"type of '{name}'");
            if (!GgmlTypes.TryGet(typeId, out var traits)) throw new GgufFormatException($"tensor '{name}' has ggml type {typeId}, which is unknown or removed");
            if (dims[0] % traits.BlockSize != 0)
                throw new GgufFormatException($"tensor '{name}' is {traits.Name} with a row of {dims[0]} values, not a multiple of its block size {traits.BlockSize}");
            var offset = r.U64($"offset of '{name}'");
            if (offset % (ulong)alignment != 0) throw new GgufFormatException($"tensor '{name}' starts at data offset {offset}, not a multiple of the alignment {alignment}");
            var blocks = elements / traits.BlockSize;
            if (blocks > long.MaxValue / traits.BlockBytes) throw new GgufFormatException($"tensor '{name}' is larger than 2^63 bytes");
            rows.Add((name, dims, traits, offset, blocks * traits.BlockBytes));
        }

        // 3) data: the section starts at the next multiple of the alignment; every tensor lies inside the file, no two overlap.
        var dataOffset = Align(r.Position - start, alignment) + start;
        var dataBytes = r.Length - dataOffset;
        if (rows.Count > 0 && dataBytes < 0) throw new GgufFormatException($"truncated: the tensor data should start at offset {dataOffset}, the file ends at {r.Length}");
        foreach (var row in rows)
            if (row.Offset > (ulong)Math.Max(0, dataBytes) || (ulong)row.Bytes > (ulong)dataBytes - row.Offset)
                throw new GgufFormatException($"truncated: tensor '{row.Name}' ({row.Type.Name}, {row.Bytes} bytes) ends at offset {dataOffset + (decimal)row.Offset + row.Bytes}, the file ends at {r.Length}");
        var byOffset = rows.OrderBy(t => t.Offset).ToList();
        for (var i = 1; i < byOffset.Count; i++)
            if (byOffset[i - 1].Offset + (ulong)byOffset[i - 1].Bytes > byOffset[i].Offset)
                throw new GgufFormatException($"tensors '{byOffset[i - 1].Name}' and '{byOffset[i].Name}' overlap");

        var tensors = rows.Select(t => new GgufTensorInfo(t.Name, t.Dims, t.Type.Name, dataOffset + (long)t.Offset, t.Bytes)).ToList();
        return new GgufFile(fileName, version, architecture, metadata, tensors, alignment, dataOffset) { TensorTableOffset = tableOffset };
    }

    /// <summary>llama.cpp indexes token_type and scores by token id and reads special ids unchecked: make them agree.</summary>
    private static void CheckVocabulary(Dictionary<string, object> metadata, Dictionary<string, ValueType> arrayTypes)
    {
        if (!metadata.TryGetValue("tokenizer.ggml.tokens", out var tokens)) return;
        if (!arrayTypes.TryGetValue("tokenizer.ggml.tokens", out var tt) || tt != ValueType.String)
            throw new GgufFormatException("tokenizer.ggml.tokens must be an array of strings");
        var n = (long)tokens;
        if (n == 0) throw new GgufFormatException("tokenizer.ggml.tokens is empty");
        void Parallel(string key, ValueType expected)
        {
            if (!metadata.TryGetValue(key, out var count)) return;
            if (!arrayTypes.TryGetValue(key, out var t) || t != expected) throw new GgufFormatException($"{key} must be an array of {expected}");
            if ((long)count != n) throw new GgufFormatException($"{key} has {count} entries but tokenizer.ggml.tokens has {n}");
        }
        Parallel("tokenizer.ggml.token_type", ValueType.Int32);
        Parallel("tokenizer.ggml.scores", ValueType.Float32);
        if (metadata.TryGetValue("tokenizer.ggml.merges", out _) && arrayTypes.GetValueOrDefault("tokenizer.ggml.merges") != ValueType.String)
            throw new GgufFormatException("tokenizer.ggml.merges must be an array of strings");
        if (metadata.GetValueOrDefault("tokenizer.ggml.model") is { } model and not string)
            throw new GgufFormatException($"tokenizer.ggml.model must be a string, not {model.GetType().Name}");
        foreach (var special in new[] { "bos", "eos", "eot", "unknown", "padding", "separator" })
        {
            var key = $"tokenizer.ggml.{special}_token_id";
            if (!metadata.TryGetValue(key, out var v)) continue;
            var id = v switch { uint u => (long)u, int s => s, _ => throw new GgufFormatException($"{key} must be a uint32") };
            if (id < -1 || id >= n) throw new GgufFormatException($"{key} is {id}, outside the vocabulary of {n} tokens");
        }
    }

    private static object ReadScalar(GgufReader r, ValueType type, string key) => type switch
    {
        ValueType.UInt8 => r.U8(key),
        ValueType.Int8 => (sbyte)r.U8(key),
        ValueType.UInt16 => (ushort)(r.U8(key) | (r.U8(key) << 8)),
        ValueType.Int16 => (short)(r.U8(key) | (r.U8(key) << 8)),
        ValueType.UInt32 => r.U32(key),
        ValueType.Int32 => (int)r.U32(key),
        ValueType.Float32 => BitConverter.UInt32BitsToSingle(r.U32(key)),
        ValueType.Bool => CheckBool(r.U8(key), key) != 0,
        ValueType.String => r.String($"value of {key}", MaxStringBytes, strict: false),
        ValueType.UInt64 => r.U64(key),
        ValueType.Int64 => (long)r.U64(key),
        ValueType.Float64 => BitConverter.UInt64BitsToDouble(r.U64(key)),
        _ => throw new GgufFormatException($"{key} has unknown value type {(uint)type}"),
    };

    private static byte CheckBool(byte b, string what) => b <= 1 ? b : throw new GgufFormatException($"{what} is a bool with byte value {b}");

    private static int ScalarSize(ValueType type) => type switch
    {
        ValueType.UInt8 or ValueType.Int8 or ValueType.Bool => 1,
        ValueType.UInt16 or ValueType.Int16 => 2,
        ValueType.UInt32 or ValueType.Int32 or ValueType.Float32 => 4,
        _ => 8,
    };

    private static long Align(long n, int alignment) => (n + alignment - 1) / alignment * alignment;
}
