using static TorchSharp.torch;

namespace Lever.Engine.Internal;

/// <summary>The mapping between safetensors dtype names, libtorch scalar types and element sizes.</summary>
internal static class DTypes
{
    public static readonly IReadOnlyDictionary<string, (ScalarType Type, int Size)> ByName = new Dictionary<string, (ScalarType, int)>(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    public static string NameOf(ScalarType type) =>
        ByName.FirstOrDefault(kv => kv.Value.Type == type).Key ?? throw new NotSupportedException($"safetensors has no dtype for {type}");

    /// <summary>Copies raw little-endian bytes into a contiguous CPU tensor of the matching type.</summary>
    public static unsafe void CopyInto(Tensor destination, byte* source, long byteCount)
    {
        switch (destination.dtype)
        {
            case ScalarType.Float64: Copy<double>(destination, source, byteCount); break;
            case ScalarType.Float32: Copy<float>(destination, source, byteCount); break;
            case ScalarType.Float16: Copy<Half>(destination, source, byteCount); break;
            case ScalarType.BFloat16: Copy<TorchSharp.BFloat16>(destination, source, byteCount); break;
            case ScalarType.Int64: Copy<long>(destination, source, byteCount); break;
            case ScalarType.Int32: Copy<int>(destination, source, byteCount); break;
            case ScalarType.Int16: Copy<short>(destination, source, byteCount); break;
            case ScalarType.Int8: Copy<sbyte>(destination, source, byteCount); break;
            case ScalarType.Byte: Copy<byte>(destination, source, byteCount); break;
            case ScalarType.Bool: Copy<bool>(destination, source, byteCount); break;
            default: throw new NotSupportedException($"cannot copy into {destination.dtype}");
        }
    }

    /// <summary>Writes the bytes of a contiguous CPU tensor to <paramref name="stream"/>.</summary>
    public static void WriteTo(Tensor source, Stream stream)
    {
        switch (source.dtype)
        {
            case ScalarType.Float64: Write<double>(source, stream); break;
            case ScalarType.Float32: Write<float>(source, stream); break;
            case ScalarType.Float16: Write<Half>(source, stream); break;
            case ScalarType.BFloat16: Write<TorchSharp.BFloat16>(source, stream); break;
            case ScalarType.Int64: Write<long>(source, stream); break;
            case ScalarType.Int32: Write<int>(source, stream); break;
            case ScalarType.Int16: Write<short>(source, stream); break;
            case ScalarType.Int8: Write<sbyte>(source, stream); break;
            case ScalarType.Byte: Write<byte>(source, stream); break;
            case ScalarType.Bool: Write<bool>(source, stream); break;
            default: throw new NotSupportedException($"cannot write {source.dtype}");
        }
    }

    // Chunks keep spans under int.MaxValue elements and the staging buffer small.
    private const int ChunkElements = 1 << 22;

    private static unsafe void Copy<T>(Tensor destination, byte* source, long byteCount) where T : unmanaged
    {
        var count = byteCount / sizeof(T);
        using var accessor = destination.data<T>();
        for (long done = 0; done < count; done += ChunkElements)
        {
            var n = (int)Math.Min(ChunkElements, count - done);
            accessor.CopyFrom(new ReadOnlySpan<T>(source + done * sizeof(T), n), 0, done);
        }
    }

    private static unsafe void Write<T>(Tensor source, Stream stream) where T : unmanaged
    {
        var count = source.numel();
        var buffer = new T[(int)Math.Min(ChunkElements, Math.Max(1, count))];
        using var accessor = source.data<T>();
        for (long done = 0; done < count; done += buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, count - done);
            accessor.CopyTo(buffer.AsSpan(0, n), 0, done);
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
        }
    }
}
