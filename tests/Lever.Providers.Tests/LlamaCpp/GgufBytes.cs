using System.Text;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>Writes small GGUF files byte by byte, including malformed ones, for the validator's tests.</summary>
internal sealed class GgufBytes
{
    private readonly List<Action<BinaryWriter>> _kv = [];
    private readonly List<(string Name, ulong[] Dims, uint Type, ulong Offset)> _tensors = [];
    public uint Version { get; set; } = 3;
    public ulong? TensorCountOverride { get; set; }
    public ulong? KvCountOverride { get; set; }
    public int Alignment { get; set; } = 32;
    public long DataBytes { get; set; }

    public GgufBytes Str(string key, string value) => Raw(key, 8, w => WriteString(w, value));
    public GgufBytes U32(string key, uint value) => Raw(key, 4, w => w.Write(value));
    public GgufBytes I32(string key, int value) => Raw(key, 5, w => w.Write(value));
    public GgufBytes Bool(string key, byte value) => Raw(key, 7, w => w.Write(value));

    public GgufBytes Raw(string key, uint type, Action<BinaryWriter> value)
    {
        _kv.Add(w => { WriteString(w, key); w.Write(type); value(w); });
        return this;
    }

    public GgufBytes RawKey(byte[] key, uint type, Action<BinaryWriter> value)
    {
        _kv.Add(w => { w.Write((ulong)key.Length); w.Write(key); w.Write(type); value(w); });
        return this;
    }

    public GgufBytes Strings(string key, params string[] values) => Raw(key, 9, w =>
    {
        w.Write(8u);
        w.Write((ulong)values.Length);
        foreach (var v in values) WriteString(w, v);
    });

    public GgufBytes Ints(string key, params int[] values) => Raw(key, 9, w =>
    {
        w.Write(5u);
        w.Write((ulong)values.Length);
        foreach (var v in values) w.Write(v);
    });

    public GgufBytes Tensor(string name, ulong[] dims, uint type, ulong offset)
    {
        _tensors.Add((name, dims, type, offset));
        return this;
    }

    /// <summary>A well-formed llama file: architecture, a 3-token vocabulary, two F32 tensors (4×2 and 8) with their data.</summary>
    public static GgufBytes Valid() => new GgufBytes()
        .Str("general.architecture", "llama")
        .U32("general.alignment", 32)
        .Strings("tokenizer.ggml.tokens", "a", "b", "c")
        .Ints("tokenizer.ggml.token_type", 1, 1, 3)
        .U32("tokenizer.ggml.eos_token_id", 2)
        .Tensor("token_embd.weight", [4, 2], 0, 0)
        .Tensor("output_norm.weight", [8], 0, 32)
        .WithData(64);

    public GgufBytes WithData(long bytes)
    {
        DataBytes = bytes;
        return this;
    }

    public byte[] Build()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("GGUF"u8);
            w.Write(Version);
            w.Write(TensorCountOverride ?? (ulong)_tensors.Count);
            w.Write(KvCountOverride ?? (ulong)_kv.Count);
            foreach (var kv in _kv) kv(w);
            foreach (var (name, dims, type, offset) in _tensors)
            {
                WriteString(w, name);
                w.Write((uint)dims.Length);
                foreach (var d in dims) w.Write(d);
                w.Write(type);
                w.Write(offset);
            }
            w.Flush();
            while (stream.Length % Alignment != 0) stream.WriteByte(0);
            for (var i = 0L; i < DataBytes; i++) stream.WriteByte((byte)(i * 7));
        }
        return stream.ToArray();
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
