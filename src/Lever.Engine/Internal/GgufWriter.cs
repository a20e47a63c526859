// A writer for GGUF v3, ggml's model file format (ggml-org/ggml docs/gguf.md): "GGUF", version, tensor count,
// metadata count, typed key/values, tensor infos (name, dims innermost-first, ggml type, offset), then the tensor
// data, each tensor aligned to general.alignment (32 bytes).
using System.Text;
using static TorchSharp.torch;

namespace Lever.Engine.Internal;

internal sealed class GgufWriter
{
    public const int Alignment = 32;

    private enum ValueType : uint { UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12 }

    /// <summary>ggml tensor types Lever writes.</summary>
    public enum TensorType : uint { F32 = 0, F16 = 1 }

    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, Tensor Data, TensorType Type)> _tensors = [];

    public GgufWriter() => Add("general.alignment", (uint)Alignment);

    public void Add(string key, string value) => _metadata.Add((key, w => { w.Write((uint)ValueType.String); WriteString(w, value); }));
    public void Add(string key, uint value) => _metadata.Add((key, w => { w.Write((uint)ValueType.UInt32); w.Write(value); }));
    public void Add(string key, float value) => _metadata.Add((key, w => { w.Write((uint)ValueType.Float32); w.Write(value); }));
    public void Add(string key, bool value) => _metadata.Add((key, w => { w.Write((uint)ValueType.Bool); w.Write((byte)(value ? 1 : 0)); }));

    public void Add(string key, IReadOnlyList<string> values) => _metadata.Add((key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.String);
        w.Write((ulong)values.Count);
        foreach (var v in values) WriteString(w, v);
    }));

    public void Add(string key, IReadOnlyList<int> values) => _metadata.Add((key, w =>
    {
        w.Write((uint)ValueType.Array);
        w.Write((uint)ValueType.Int32);
        w.Write((ulong)values.Count);
        foreach (var v in values) w.Write(v);
    }));

    /// <summary>Adds a tensor (PyTorch layout, any dtype); it is converted to <paramref name="type"/> when written.</summary>
    public void AddTensor(string name, Tensor data, TensorType type) => _tensors.Add((name, data, type));

    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, write) in _metadata)
        {
            WriteString(w, key);
            write(w);
        }

        ulong offset = 0;
        var sizes = new List<ulong>();
        foreach (var (name, data, type) in _tensors)
        {
            WriteString(w, name);
            var shape = data.shape;
            w.Write((uint)shape.Length);
            for (var d = shape.Length - 1; d >= 0; d--) w.Write((ulong)shape[d]);   // ggml: ne[0] is the innermost dimension
            w.Write((uint)type);
            w.Write(offset);
            var size = (ulong)data.numel() * (type == TensorType.F32 ? 4UL : 2UL);
            sizes.Add(size);
            offset += Align(size);
        }
        w.Flush();
        Pad(stream);
        for (var i = 0; i < _tensors.Count; i++)
        {
            using var scope = NewDisposeScope();
            var (_, data, type) = _tensors[i];
            var converted = data.detach().cpu().to(type == TensorType.F32 ? ScalarType.Float32 : ScalarType.Float16).contiguous();
            DTypes.WriteTo(converted, stream);
            Pad(stream);
        }
    }

    private static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(Stream stream)
    {
        var pad = (int)((Alignment - stream.Position % Alignment) % Alignment);
        for (var i = 0; i < pad; i++) stream.WriteByte(0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
