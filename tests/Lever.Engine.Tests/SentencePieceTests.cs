using System.Text;
using Lever.Engine.Tokenizers;

namespace Lever.Engine.Tests;

/// <summary>
/// The SentencePiece path (Llama 2, Mistral) on a tokenizer.model written here byte by byte from sentencepiece's
/// model.proto: a BPE model where a piece's score is its merge priority.
/// </summary>
public sealed class SentencePieceTests
{
    // (piece, score, type): NORMAL = 1, UNKNOWN = 2, CONTROL = 3.
    private static readonly (string Piece, float Score, int Type)[] Pieces =
    [
        ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3),
        ("▁h", -1, 1), ("ll", -2, 1), ("▁he", -3, 1), ("▁hell", -4, 1), ("▁hello", -5, 1), ("▁w", -6, 1), ("or", -7, 1), ("ld", -8, 1),
        ("▁", -9, 1), ("h", -10, 1), ("e", -11, 1), ("l", -12, 1), ("o", -13, 1), ("w", -14, 1), ("r", -15, 1), ("d", -16, 1),
    ];

    [Fact]
    public void Tokenizer_model_loads_encodes_with_bos_and_round_trips()
    {
        var dir = TinyModels.TempDir("spm");
        File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), ModelProto());
        var tokenizer = ModelTokenizer.Load(dir);
        Assert.Equal("sentencepiece", tokenizer.Kind);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.Equal(ChatTemplate.Llama2, tokenizer.ChatTemplate);
        var ids = tokenizer.Encode("hello world");
        // BOS, then "▁hello" (merged all the way up), "▁w", "or", "ld".
        Assert.Equal([1, 7, 8, 9, 10], ids);
        Assert.Equal("hello world", tokenizer.Decode(ids));
        Assert.Equal("<s>hello world", tokenizer.Decode(ids, skipSpecial: false).Replace("<s> ", "<s>", StringComparison.Ordinal));
    }

    private static byte[] ModelProto()
    {
        var model = new MemoryStream();
        foreach (var (piece, score, type) in Pieces)
        {
            var p = new MemoryStream();
            String(p, 1, piece);
            Tag(p, 2, 5); p.Write(BitConverter.GetBytes(score));
            Tag(p, 3, 0); Varint(p, (ulong)type);
            Bytes(model, 1, p.ToArray());
        }
        var trainer = new MemoryStream();
        Tag(trainer, 3, 0); Varint(trainer, 2);                 // model_type = BPE
        Tag(trainer, 4, 0); Varint(trainer, (ulong)Pieces.Length);
        Tag(trainer, 40, 0); Varint(trainer, 0);                // unk_id
        Tag(trainer, 41, 0); Varint(trainer, 1);                // bos_id
        Tag(trainer, 42, 0); Varint(trainer, 2);                // eos_id
        Tag(trainer, 43, 0); Varint(trainer, ulong.MaxValue);   // pad_id = -1
        Bytes(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        String(normalizer, 1, "identity");
        Tag(normalizer, 3, 0); Varint(normalizer, 1);           // add_dummy_prefix
        Tag(normalizer, 4, 0); Varint(normalizer, 1);           // remove_extra_whitespaces
        Tag(normalizer, 5, 0); Varint(normalizer, 1);           // escape_whitespaces
        Bytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    private static void Tag(Stream s, int field, int wire) => Varint(s, (ulong)(field << 3 | wire));

    private static void Varint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    private static void Bytes(Stream s, int field, byte[] bytes)
    {
        Tag(s, field, 2);
        Varint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void String(Stream s, int field, string value) => Bytes(s, field, Encoding.UTF8.GetBytes(value));
}
