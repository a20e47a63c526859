// A reader for the safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}, then the raw little-endian data.
// The file is memory-mapped, so reading a tensor copies straight from the page cache into the tensor: a 1 GB file
// never needs 2 GB of RAM. Every header entry is validated up front and errors name the file and the tensor.
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Checkpoints;

/// <summary>An open, validated safetensors file; tensors are read by name.</summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    /// <summary>Headers larger than this are refused as corrupt (real ones are a few hundred KB).</summary>
    public const long MaxHeaderBytes = 100L << 20;

    /// <summary>Most tensors one file may list (a 405B-parameter checkpoint's shards list a few thousand).</summary>
    public const int MaxTensors = 1_000_000;

    /// <summary>Most dimensions a tensor's shape may have.</summary>
    public const int MaxRank = 16;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, IReadOnlyDictionary<string, SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart, long length)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
        _dataStart = dataStart;
        if (length > dataStart)
        {
            _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            _view = _map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Header entries by tensor name.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The optional <c>__metadata__</c> string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>; a malformed file is a <see cref="LeverUserException"/> naming file and tensor.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw Error(path, "file not found");
        long length;
        byte[] header;
        using (var stream = File.OpenRead(path))
        {
            length = stream.Length;
            if (length < 8) throw Error(path, $"truncated: {length} bytes, fewer than the 8-byte header length");
            Span<byte> n = stackalloc byte[8];
            stream.ReadExactly(n);
            var headerLength = BitConverter.ToInt64(n);   // little-endian on every platform .NET runs Lever on
            if (headerLength <= 0 || headerLength > MaxHeaderBytes)
                throw Error(path, $"corrupt header: header length {headerLength} is not between 1 and {MaxHeaderBytes}");
            if (8 + headerLength > length)
                throw Error(path, $"truncated: header says {headerLength} bytes but the file has {length - 8} after the length");
            header = new byte[headerLength];
            stream.ReadExactly(header);
        }
        var dataStart = 8 + header.LongLength;
        var dataLength = length - dataStart;
        var (tensors, metadata) = ParseHeader(path, header, dataLength);
        return new SafeTensorsFile(path, tensors, metadata, dataStart, length);
    }

    private static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        // JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(header)) throw Error(path, "corrupt header: not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw Error(path, $"corrupt header: not valid JSON ({ex.Message.Split(". ")[0]})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Error(path, "corrupt header: the JSON is not an object");
            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw Error(path, "corrupt header: __metadata__ is not an object");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Error(path, $"corrupt header: __metadata__.{m.Name} is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.Count == MaxTensors) throw Error(path, $"corrupt header: more than {MaxTensors} tensors");
                tensors[entry.Name] = ParseEntry(path, entry.Name, entry.Value, dataLength);
            }

            // Two tensors must never share bytes: sort by start and compare neighbours.
            SafeTensorInfo? previous = null;
            foreach (var t in tensors.Values.Where(t => t.End > t.Begin).OrderBy(t => t.Begin))
            {
                if (previous is not null && t.Begin < previous.End)
                    throw Error(path, $"tensor {t.Name}: data_offsets [{t.Begin}, {t.End}] overlap tensor {previous.Name} [{previous.Begin}, {previous.End}]");
                previous = t;
            }
            return (tensors, metadata);
        }
    }

    private static SafeTensorInfo ParseEntry(string path, string name, JsonElement e, long dataLength)
    {
        LeverUserException Bad(string what) => Error(path, $"tensor {name}: {what}");
        if (e.ValueKind != JsonValueKind.Object) throw Bad("header entry is not an object");
        if (!e.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String) throw Bad("missing dtype");
        var dtype = dtypeEl.GetString()!;
        if (!DTypes.ByName.TryGetValue(dtype, out var type)) throw Bad($"unsupported dtype {dtype} (supported: {string.Join(", ", DTypes.ByName.Keys)})");
        if (!e.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array) throw Bad("missing shape");
        var shape = new List<long>();
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0) throw Bad($"shape {shapeEl.GetRawText()} has a dimension that is not a non-negative integer");
            shape.Add(v);
        }
        if (!e.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2
            || !offEl[0].TryGetInt64(out var begin) || !offEl[1].TryGetInt64(out var end))
            throw Bad("data_offsets must be [begin, end]");
        if (begin < 0 || end < begin) throw Bad($"data_offsets [{begin}, {end}] are not an increasing range");
        if (end > dataLength) throw Bad($"data_offsets [{begin}, {end}] run past the end of the data ({dataLength} bytes): the file is truncated or the header is corrupt");
        if (shape.Count > MaxRank) throw Bad($"shape has {shape.Count} dimensions, more than {MaxRank}");
        long elements = shape.Contains(0) ? 0 : 1;
        foreach (var d in shape)
        {
            if (elements == 0) break;
            // A corrupted dimension can overflow the element count; data_offsets bound the real size anyway.
            if (d != 0 && elements > (end - begin) / d) { elements = -1; break; }
            elements *= d;
        }
        if (elements < 0 || elements * type.Size != end - begin)
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} needs {(elements < 0 ? "more" : (elements * type.Size).ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but data_offsets span {end - begin}");
        return new SafeTensorInfo(name, dtype, [.. shape], begin, end);
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new CPU tensor of its stored dtype (or <paramref name="as"/>).</summary>
    public Tensor Read(string name, ScalarType? @as = null)
    {
        var info = Info(name);
        var stored = DTypes.ByName[info.Dtype].Type;
        var tensor = empty(info.Shape, stored);
        if (info.End > info.Begin) DTypes.CopyInto(tensor, _base + _dataStart + info.Begin, info.End - info.Begin);
        if (@as is { } target && target != stored)
        {
            var converted = tensor.to(target);
            tensor.Dispose();
            return converted;
        }
        return tensor;
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into <paramref name="destination"/> (a parameter), converting dtype;
    /// the shapes must match exactly.
    /// </summary>
    public void CopyTo(string name, Tensor destination)
    {
        var info = Info(name);
        if (!info.Shape.SequenceEqual(destination.shape))
            throw Error(Path, $"tensor {name}: shape [{string.Join(", ", info.Shape)}] does not match the model's [{string.Join(", ", destination.shape)}]", "the checkpoint was saved for a different config.json");
        using var noGrad = no_grad();
        if (DTypes.ByName[info.Dtype].Type == destination.dtype && destination.device_type == TorchSharp.DeviceType.CPU && destination.is_contiguous())
        {
            // Straight from the mapping into the parameter: no temporary copy of the whole tensor.
            if (info.End > info.Begin) DTypes.CopyInto(destination, _base + _dataStart + info.Begin, info.End - info.Begin);
            return;
        }
        using var scope = NewDisposeScope();
        var loaded = Read(name, destination.dtype);
        destination.copy_(loaded);
    }

    /// <summary>
    /// Drops this process's mapped pages of tensor <paramref name="name"/> after it was read: they would otherwise count
    /// toward its resident memory until the file is closed (the OS keeps them in its page cache, so reading the tensor
    /// again still works). Linux only; elsewhere nothing happens.
    /// </summary>
    public void ReleasePages(string name)
    {
        var info = Info(name);
        if (!OperatingSystem.IsLinux() || _base == null || info.End == info.Begin) return;
        long page = Environment.SystemPageSize;
        var start = (long)(_base + _dataStart + info.Begin);
        var end = (long)(_base + _dataStart + info.End);
        var first = start / page * page;                      // whole pages; a neighbour sharing one is re-read if needed
        var last = (end + page - 1) / page * page;
        _ = LibC.Madvise((nint)first, (nuint)(last - first), LibC.MadvDontNeed);   // advisory: a failure only costs memory
    }

    /// <summary>The header entry of <paramref name="name"/>; a missing tensor is a user error naming the file.</summary>
    public SafeTensorInfo Info(string name) =>
        Tensors.TryGetValue(name, out var info) ? info : throw Error(Path, $"tensor {name} is missing", "the checkpoint does not match config.json, or it is incomplete");

    internal static LeverUserException Error(string path, string what, string? hint = null) =>
        new($"{path}: {what}", hint ?? "the safetensors file is damaged: re-download or re-save the checkpoint");

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}
