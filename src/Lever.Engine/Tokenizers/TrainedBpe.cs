// The result of BpeTrainer: a byte-level BPE vocabulary, its reference encoder (minbpe-style: merge the adjacent pair
// of lowest rank until none applies) and the Hugging Face tokenizer.json + tokenizer_config.json it is saved as.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lever.Engine.Internal;

namespace Lever.Engine.Tokenizers;

/// <summary>A trained byte-level BPE: specials (ids 0..k-1), 256 bytes, merges, reserved tokens to the vocabulary size.</summary>
public sealed class TrainedBpe
{
    private readonly List<byte[]> _tokenBytes;          // index = id - specials
    private readonly Dictionary<(int, int), int> _rank; // pair (byte-token indices) → merge rank

    internal TrainedBpe(IReadOnlyList<string> specials, List<byte[]> tokenBytes, List<(int A, int B)> merges, int vocabSize)
    {
        SpecialTokens = specials;
        _tokenBytes = tokenBytes;
        MergePairs = merges;
        _rank = merges.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        var reserved = vocabSize - specials.Count - tokenBytes.Count;
        ReservedTokens = Enumerable.Range(0, reserved).Select(i => $"<|reserved_{i}|>").ToList();
    }

    /// <summary>Special tokens, ids 0..k-1.</summary>
    public IReadOnlyList<string> SpecialTokens { get; }

    /// <summary>Merges in rank order, as indices into the non-special tokens (bytes are 0..255).</summary>
    public IReadOnlyList<(int A, int B)> MergePairs { get; }

    /// <summary>Placeholder special tokens that pad the vocabulary when the corpus had too few pairs.</summary>
    public IReadOnlyList<string> ReservedTokens { get; }

    /// <summary>Total number of ids.</summary>
    public int VocabSize => SpecialTokens.Count + _tokenBytes.Count + ReservedTokens.Count;

    /// <summary>Reference encoding of <paramref name="text"/> (no BOS), independent of Microsoft.ML.Tokenizers.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        var split = new Regex(ModelTokenizer.Llama3Pattern);
        var k = SpecialTokens.Count;
        var ids = new List<int>();
        foreach (var (chunk, isSpecial) in BpeTrainer.SplitSpecials(text, [.. SpecialTokens, .. ReservedTokens]))
        {
            if (isSpecial)
            {
                var s = SpecialTokens.ToList().IndexOf(chunk);
                ids.Add(s >= 0 ? s : k + _tokenBytes.Count + ReservedTokens.ToList().IndexOf(chunk));
                continue;
            }
            foreach (Match m in split.Matches(chunk))
            {
                var word = Encoding.UTF8.GetBytes(m.Value).Select(b => (int)b).ToList();
                while (word.Count > 1)
                {
                    var bestAt = -1;
                    var bestRank = int.MaxValue;
                    for (var i = 0; i + 1 < word.Count; i++)
                        if (_rank.TryGetValue((word[i], word[i + 1]), out var r) && r < bestRank) { bestRank = r; bestAt = i; }
                    if (bestAt < 0) break;
                    word[bestAt] = 256 + bestRank;
                    word.RemoveAt(bestAt + 1);
                }
                ids.AddRange(word.Select(t => t + k));
            }
        }
        return ids;
    }

    /// <summary>Writes tokenizer.json and tokenizer_config.json (ChatML template, BOS = EOS = pad = first special) to <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var k = SpecialTokens.Count;
        string Token(int index) => ByteLevelMap.Encode(_tokenBytes[index]);
        var vocab = new JsonObject();
        for (var i = 0; i < _tokenBytes.Count; i++) vocab[Token(i)] = k + i;
        var merges = new JsonArray(MergePairs.Select(m => (JsonNode)JsonValue.Create($"{Token(m.A)} {Token(m.B)}")!).ToArray());
        var added = new JsonArray();
        var allSpecial = SpecialTokens.Select((s, i) => (s, i)).Concat(ReservedTokens.Select((s, i) => (s, k + _tokenBytes.Count + i)));
        foreach (var (content, id) in allSpecial)
            added.Add(new JsonObject { ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true });

        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = ModelTokenizer.Llama3Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), root.ToJsonString(indented) + "\n");

        var first = SpecialTokens.Count > 0 ? SpecialTokens[0] : null;
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = first,
            ["eos_token"] = first,
            ["pad_token"] = first,
            ["add_bos_token"] = false,
            ["model_max_length"] = 1 << 20,
            ["chat_template"] = SpecialTokens.Contains("<|im_start|>")
                ? "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
                : null,
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString(indented) + "\n");
    }
}
