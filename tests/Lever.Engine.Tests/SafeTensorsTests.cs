using System.Text;
using Lever.Core;
using Lever.Engine.Checkpoints;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

public sealed class SafeTensorsTests
{
    [Theory]
    [InlineData(ScalarType.Float32, "F32")]
    [InlineData(ScalarType.Float16, "F16")]
    [InlineData(ScalarType.BFloat16, "BF16")]
    [InlineData(ScalarType.Int64, "I64")]
    public void Round_trips_values_dtype_shape_and_metadata(ScalarType type, string name)
    {
        using var scope = NewDisposeScope();
        var dir = TinyModels.TempDir("st");
        var path = Path.Combine(dir, "x.safetensors");
        var a = (arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4) * 0.25 - 2).to(type);
        var b = tensor(new float[] { 1.5f, -3 }).to(type);
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["a"] = a, ["b.c"] = b }, new Dictionary<string, string> { ["format"] = "pt" });
        using var file = SafeTensors.Open(path);
        Assert.Equal(name, file.Tensors["a"].Dtype);
        Assert.Equal([2L, 3, 4], file.Tensors["a"].Shape);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.True(TinyModels.Same(file.Read("a"), a));
        Assert.True(TinyModels.Same(file.Read("b.c"), b));
        Assert.True(TinyModels.Same(file.Read("a", ScalarType.Float32), a.to(ScalarType.Float32)));
    }

    [Fact]
    public void Header_layout_is_the_published_format()
    {
        // Independent of our reader: parse the bytes by the spec (u64 length, JSON, aligned data).
        var path = Path.Combine(TinyModels.TempDir("st"), "x.safetensors");
        using (var scope = NewDisposeScope())
            SafeTensors.Write(path, new Dictionary<string, Tensor> { ["w"] = tensor(new float[] { 1, 2, 3 }) });
        var bytes = File.ReadAllBytes(path);
        var n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd();
        Assert.Equal("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}""", header);
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 8 + (int)n + 4));
        Assert.Equal(8 + n + 12, bytes.Length);
    }

    public static TheoryData<string, string, string> Corruptions => new()
    {
        // name, header JSON (data is 12 bytes), expected words in the message
        { "bad json", """{"w":{"dtype":"F32",""", "not valid JSON" },
        { "offsets past the end", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "tensor w" },
        { "overlap", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", "overlap" },
        { "shape/dtype mismatch", """{"w":{"dtype":"F16","shape":[3],"data_offsets":[0,12]}}""", "needs 6 bytes" },
        { "unknown dtype", """{"w":{"dtype":"Q4","shape":[3],"data_offsets":[0,12]}}""", "unsupported dtype" },
        { "negative dim", """{"w":{"dtype":"F32","shape":[-3],"data_offsets":[0,12]}}""", "non-negative" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Malformed_files_are_refused_naming_the_file(string _, string header, string expected)
    {
        var path = Path.Combine(TinyModels.TempDir("bad"), "model.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[12]]);
        var ex = Assert.Throws<LeverUserException>(() => SafeTensors.Open(path).Dispose());
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Truncated_file_and_missing_tensor_are_refused()
    {
        var dir = TinyModels.TempDir("bad");
        var path = Path.Combine(dir, "model.safetensors");
        using (var scope = NewDisposeScope())
            SafeTensors.Write(path, new Dictionary<string, Tensor> { ["w"] = ones(100) });
        using (var file = SafeTensors.Open(path))
        {
            var missing = Assert.Throws<LeverUserException>(() => file.Read("nope"));
            Assert.Contains("tensor nope is missing", missing.Message);
        }
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var ex = Assert.Throws<LeverUserException>(() => SafeTensors.Open(path).Dispose());
        Assert.Contains("tensor w", ex.Message);
        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("truncated", Assert.Throws<LeverUserException>(() => SafeTensors.Open(path).Dispose()).Message);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1L << 40), .. bytes[8..]]);
        Assert.Contains("header length", Assert.Throws<LeverUserException>(() => SafeTensors.Open(path).Dispose()).Message);
    }
}
