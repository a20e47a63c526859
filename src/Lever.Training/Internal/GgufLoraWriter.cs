using System.Text;
using static TorchSharp.torch;

namespace Lever.Training.Internal;

/// <summary>
/// The little of GGUF v3 (ggml-org/llama.cpp docs/gguf.md) a LoRA adapter file needs: string, uint32 and float32
/// metadata, float32 tensors, 32-byte alignment. Dimensions are written innermost first (ggml's ne order), so a
/// torch tensor of shape (r, in) is stored with ne = [in, r].
/// </summary>
internal sealed class GgufLoraWriter
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian
    private const int Alignment = 32;
    private readonly List<(string Key, object Value)> _metadata = [];
    private readonly List<(string Name, float[] Data, long[] Shape)> _tensors = [];

    public void Add(string key, string value) => _metadata.Add((key, value));

    public void Add(string key, float value) => _metadata.Add((key, value));

    public void Add(string key, uint value) => _metadata.Add((key, value));

    public void AddTensor(string name, Tensor t) =>
        _tensors.Add((name, t.detach().to(ScalarType.Float32).contiguous().cpu().data<float>().ToArray(), t.shape));

    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write(Magic);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(w, key);
            switch (value)
            {
                case uint u:
                    w.Write(4u);
                    w.Write(u);
                    break;
                case float f:
                    w.Write(6u);
                    w.Write(f);
                    break;
                case string s:
                    w.Write(8u);
                    WriteString(w, s);
                    break;
            }
        }
        ulong offset = 0;
        foreach (var (name, data, shape) in _tensors)
        {
            WriteString(w, name);
            w.Write((uint)shape.Length);
            foreach (var d in shape.Reverse()) w.Write((ulong)d);
            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset += Align((ulong)data.Length * 4);
        }
        Pad(w);
        foreach (var (_, data, _) in _tensors)
        {
            foreach (var v in data) w.Write(v);
            Pad(w);
        }
        w.Flush();
        stream.Flush(flushToDisk: true);
    }

    private static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        var pos = w.BaseStream.Position;
        var padded = (long)Align((ulong)pos);
        for (long i = pos; i < padded; i++) w.Write((byte)0);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
