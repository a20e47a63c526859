// Writing the safetensors format (huggingface/safetensors): 8-byte little-endian header length, a JSON header padded
// with spaces to a multiple of 8 (so every tensor starts aligned), then each tensor's bytes back to back.
using System.Text;
using System.Text.Json;
using Lever.Engine.Internal;
using static TorchSharp.torch;

namespace Lever.Engine.Checkpoints;

/// <summary>Reads and writes .safetensors files (model weights, PEFT adapters).</summary>
public static class SafeTensors
{
    /// <summary>Opens <paramref name="path"/> for reading (memory-mapped, validated).</summary>
    public static SafeTensorsFile Open(string path) => SafeTensorsFile.Open(path);

    /// <summary>Reads every tensor of <paramref name="path"/> into CPU tensors of their stored dtype.</summary>
    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        using var file = Open(path);
        return file.Tensors.Keys.ToDictionary(n => n, n => file.Read(n), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device, any layout; stored in their own dtype) and optional string
    /// <paramref name="metadata"/> to <paramref name="path"/>, atomically (a temporary file renamed over the target).
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        // Order by name so the same tensors always give the same bytes.
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            var size = t.numel() * t.ElementSize;
            header[name] = new { dtype = DTypes.NameOf(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.Write(BitConverter.GetBytes((long)padded));
                stream.Write(json);
                for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var name in names)
                {
                    using var scope = NewDisposeScope();
                    var t = tensors[name].detach().cpu().contiguous();
                    DTypes.WriteTo(t, stream);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
