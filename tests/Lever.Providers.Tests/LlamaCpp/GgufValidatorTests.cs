using Lever.Core;
using Lever.Providers.LlamaCpp.Gguf;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>The managed GGUF check that runs before llama.cpp: good files pass with what they hold, bad ones are one user error naming the file.</summary>
public sealed class GgufValidatorTests
{
    private const string Name = "models/m.gguf";

    private static GgufFile Check(byte[] bytes) => GgufValidator.Validate(new MemoryStream(bytes), Name);

    private static string Refused(byte[] bytes)
    {
        var e = Assert.Throws<LeverUserException>(() => Check(bytes));
        Assert.StartsWith(Name + ": not a usable GGUF file: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void A_valid_file_yields_its_header_metadata_and_tensor_table()
    {
        var bytes = GgufBytes.Valid().Build();
        var file = Check(bytes);
        Assert.Equal(3u, file.Version);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(32, file.Alignment);
        Assert.Equal(3L, file.Metadata["tokenizer.ggml.tokens"]);
        Assert.Equal(2u, file.Metadata["tokenizer.ggml.eos_token_id"]);
        Assert.Equal(2, file.Tensors.Count);
        Assert.Equal(new long[] { 4, 2 }, file.Tensors[0].Dimensions);
        Assert.Equal("F32", file.Tensors[0].Type);
        Assert.Equal(32, file.Tensors[0].Bytes);
        Assert.Equal(file.DataOffset + 32, file.Tensors[1].Offset);
        Assert.Equal(bytes.Length - 64, file.DataOffset);
        Assert.Equal(0, file.DataOffset % 32);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused_as_truncated_or_too_short()
    {
        var bytes = GgufBytes.Valid().Build();
        for (var n = 0; n < bytes.Length; n++)
        {
            var message = Refused(bytes[..n]);
            Assert.True(message.Contains("truncated", StringComparison.Ordinal) || message.Contains("too short", StringComparison.Ordinal), $"{n} bytes: {message}");
        }
    }

    [Fact]
    public void Not_a_gguf_is_refused_with_the_bytes_it_starts_with()
    {
        Assert.Contains("no GGUF magic (the file starts with 504B0304", Refused("PK\u0003\u0004 zip archive, not a model"u8.ToArray()), StringComparison.Ordinal);
        Assert.Contains("too short", Refused([]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u, "version 1 is no longer read")]
    [InlineData(7u, "version 7 is unknown")]
    [InlineData(0x03000000u, "big-endian")]
    public void Versions_llama_cpp_does_not_read_are_refused(uint version, string expected)
    {
        var g = GgufBytes.Valid();
        g.Version = version;
        Assert.Contains(expected, Refused(g.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void Forged_counts_and_lengths_are_refused_before_anything_is_allocated()
    {
        var tensors = GgufBytes.Valid();
        tensors.TensorCountOverride = ulong.MaxValue;
        Assert.Contains("tensors; the limit is", Refused(tensors.Build()), StringComparison.Ordinal);
        var kv = GgufBytes.Valid();
        kv.KvCountOverride = 1_000_000;
        Assert.Contains("truncated: it declares 1000000 metadata entries but only", Refused(kv.Build()), StringComparison.Ordinal);
        var longString = new GgufBytes().Raw("general.architecture", 8, w => w.Write(ulong.MaxValue - 3));
        Assert.Contains("claims 18446744073709551612 bytes; the limit is", Refused(longString.Build()), StringComparison.Ordinal);
        var longArray = new GgufBytes().Raw("tokenizer.ggml.tokens", 9, w => { w.Write(8u); w.Write(1UL << 40); });
        Assert.Contains("claims 1099511627776 elements; the limit is", Refused(longArray.Build()), StringComparison.Ordinal);
        var shortArray = new GgufBytes().Raw("tokenizer.ggml.scores", 9, w => { w.Write(6u); w.Write(1000UL); });
        Assert.Contains("truncated: 'tokenizer.ggml.scores' claims 1000 elements", Refused(shortArray.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_metadata_is_refused_naming_the_key()
    {
        Assert.Contains("'x' has unknown value type 13", Refused(new GgufBytes().Raw("x", 13, _ => { }).Build()), StringComparison.Ordinal);
        Assert.Contains("'x' is an array of arrays", Refused(new GgufBytes().Raw("x", 9, w => { w.Write(9u); w.Write(0UL); }).Build()), StringComparison.Ordinal);
        Assert.Contains("'general.architecture' appears twice", Refused(GgufBytes.Valid().Str("general.architecture", "llama").Build()), StringComparison.Ordinal);
        Assert.Contains("'flag' is a bool with byte value 7", Refused(GgufBytes.Valid().Bool("flag", 7).Build()), StringComparison.Ordinal);
        Assert.Contains("metadata key #0 is not valid UTF-8", Refused(new GgufBytes().RawKey([0xFF, 0xFE], 4, w => w.Write(1u)).Build()), StringComparison.Ordinal);
        Assert.Contains("general.alignment is 48", Refused(new GgufBytes().Str("general.architecture", "llama").U32("general.alignment", 48).Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_unknown_architecture_is_refused()
    {
        Assert.Contains("general.architecture is missing", Refused(new GgufBytes().U32("general.alignment", 32).Build()), StringComparison.Ordinal);
        Assert.Contains("architecture 'gpt-7' is not one this llama.cpp build loads", Refused(new GgufBytes().Str("general.architecture", "gpt-7").Build()), StringComparison.Ordinal);
        Assert.Equal("qwen2", Check(new GgufBytes().Str("general.architecture", "qwen2").Build()).Architecture);
    }

    [Fact]
    public void A_vocabulary_whose_arrays_disagree_is_refused()
    {
        var types = new GgufBytes().Str("general.architecture", "llama").Strings("tokenizer.ggml.tokens", "a", "b").Ints("tokenizer.ggml.token_type", 1);
        Assert.Contains("tokenizer.ggml.token_type has 1 entries but tokenizer.ggml.tokens has 2", Refused(types.Build()), StringComparison.Ordinal);
        var eos = new GgufBytes().Str("general.architecture", "llama").Strings("tokenizer.ggml.tokens", "a", "b").U32("tokenizer.ggml.eos_token_id", 2);
        Assert.Contains("tokenizer.ggml.eos_token_id is 2, outside the vocabulary of 2 tokens", Refused(eos.Build()), StringComparison.Ordinal);
        var notStrings = new GgufBytes().Str("general.architecture", "llama").Ints("tokenizer.ggml.tokens", 1, 2);
        Assert.Contains("tokenizer.ggml.tokens must be an array of strings", Refused(notStrings.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_tensor_rows_are_refused_naming_the_tensor()
    {
        static GgufBytes Arch() => new GgufBytes().Str("general.architecture", "llama");
        Assert.Contains("tensor 't' has 5 dimensions", Refused(Arch().Tensor("t", [1, 1, 1, 1, 1], 0, 0).WithData(32).Build()), StringComparison.Ordinal);
        Assert.Contains("tensor 't' has ggml type 4, which is unknown or removed", Refused(Arch().Tensor("t", [32], 4, 0).WithData(64).Build()), StringComparison.Ordinal);
        Assert.Contains("tensor 't' is Q8_0 with a row of 33 values, not a multiple of its block size 32", Refused(Arch().Tensor("t", [33], 8, 0).WithData(64).Build()), StringComparison.Ordinal);
        Assert.Contains("tensor 't' starts at data offset 4, not a multiple of the alignment 32", Refused(Arch().Tensor("t", [1], 0, 4).WithData(64).Build()), StringComparison.Ordinal);
        Assert.Contains("truncated: tensor 't' (Q8_0, 68 bytes)", Refused(Arch().Tensor("t", [64], 8, 0).WithData(64).Build()), StringComparison.Ordinal);
        Assert.Contains("tensor 't' appears twice", Refused(Arch().Tensor("t", [1], 0, 0).Tensor("t", [1], 0, 32).WithData(64).Build()), StringComparison.Ordinal);
        Assert.Contains("tensors 'a' and 'b' overlap", Refused(Arch().Tensor("a", [16], 0, 0).Tensor("b", [1], 0, 32).WithData(96).Build()), StringComparison.Ordinal);
        Assert.Contains("has more than 2^63 elements", Refused(Arch().Tensor("t", [1UL << 40, 1UL << 40], 0, 0).WithData(32).Build()), StringComparison.Ordinal);
        Assert.Contains("longer than 63 bytes", Refused(Arch().Tensor(new string('n', 64), [1], 0, 0).WithData(32).Build()), StringComparison.Ordinal);
        Assert.Equal(68, Check(Arch().Tensor("t", [64], 8, 0).WithData(96).Build()).Tensors[0].Bytes);   // 2 blocks of 34
    }

    [Fact]
    public void Random_corruption_ends_in_success_or_a_user_error_never_another_exception()
    {
        var valid = GgufBytes.Valid().Build();
        var random = new Random(18);
        for (var round = 0; round < 3000; round++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                Check(bytes);
            }
            catch (LeverUserException e)
            {
                Assert.StartsWith(Name + ":", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void A_missing_file_is_a_user_error_naming_it()
    {
        var e = Assert.Throws<LeverUserException>(() => GgufValidator.ValidateFile("/nonexistent/x.gguf"));
        Assert.Equal("/nonexistent/x.gguf: no such GGUF file", e.Message);
    }
}
