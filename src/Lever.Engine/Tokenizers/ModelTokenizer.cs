// The tokenizer of a checkpoint folder, through Microsoft.ML.Tokenizers: byte-level BPE from tokenizer.json
// (GPT-2, Llama 3, Qwen2, SmolLM) or SentencePiece from tokenizer.model (Llama 2, Mistral), with the special tokens
// and chat template of tokenizer_config.json.
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lever.Core;
using Lever.Core.Constraints;
using Lever.Engine.Internal;
using Microsoft.ML.Tokenizers;

namespace Lever.Engine.Tokenizers;

/// <summary>A loaded tokenizer: encode/decode, special tokens, chat template.</summary>
public sealed class ModelTokenizer
{
    /// <summary>GPT-2's pre-tokenizer split, used by ByteLevel pre-tokenizers with use_regex = true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3's pre-tokenizer split (also Lever's own trained tokenizers).</summary>
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Largest tokenizer.json / tokenizer_config.json read (real ones are a few MB).</summary>
    public const long MaxJsonBytes = 256L << 20;

    /// <summary>Token ids at or above this are refused as corrupt (the largest real vocabularies hold ~260,000).</summary>
    public const int MaxVocabulary = 1 << 22;

    /// <summary>A pre-tokenizer regex that backtracks longer than this on one piece of text fails instead of hanging.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    private readonly IReadOnlyDictionary<int, string> _specialById;
    private readonly Lazy<TokenVocabulary> _constraintVocabulary;

    private ModelTokenizer(Tokenizer inner, string kind, IReadOnlyDictionary<string, int> special, IReadOnlyList<string>? vocabulary,
        IReadOnlyList<string>? merges, string? preTokenizerPattern, int vocabSize)
    {
        Inner = inner;
        Kind = kind;
        SpecialTokens = special;
        _specialById = special.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.First().Key);
        Vocabulary = vocabulary;
        Merges = merges;
        PreTokenizerPattern = preTokenizerPattern;
        VocabSize = vocabSize;
        _constraintVocabulary = new Lazy<TokenVocabulary>(() => new TokenVocabulary(TokenBytes()));
    }

    /// <summary>The Microsoft.ML.Tokenizers tokenizer doing the work.</summary>
    public Tokenizer Inner { get; }

    /// <summary>"bpe" (byte-level, tokenizer.json) or "sentencepiece" (tokenizer.model).</summary>
    public string Kind { get; }

    /// <summary>Added/special tokens (content → id), matched whole in the input text.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>For byte-level BPE: token strings by id (GPT-2 byte alphabet), specials included; else null.</summary>
    public IReadOnlyList<string>? Vocabulary { get; }

    /// <summary>For byte-level BPE: merges in rank order, "left right"; else null.</summary>
    public IReadOnlyList<string>? Merges { get; }

    /// <summary>The regex that splits text before BPE, for byte-level BPE.</summary>
    public string? PreTokenizerPattern { get; }

    /// <summary>Number of token ids (highest id + 1).</summary>
    public int VocabSize { get; }

    /// <summary>Beginning-of-sequence token id, if any.</summary>
    public int? BosId { get; private set; }

    /// <summary>End-of-sequence token id, if any.</summary>
    public int? EosId { get; private set; }

    /// <summary>Padding token id (falls back to EOS, as HF pipelines do).</summary>
    public int? PadId { get; private set; }

    /// <summary>Whether <see cref="Encode"/> starts sequences with BOS.</summary>
    public bool AddBos { get; private set; }

    /// <summary>The chat template of the model (from tokenizer_config.json), or ChatML for Lever's own tokenizers.</summary>
    public ChatTemplate ChatTemplate { get; set; } = ChatTemplate.Plain;

    /// <summary>Text of the BOS token ("" if none).</summary>
    public string BosText => BosId is { } id && _specialById.TryGetValue(id, out var s) ? s : "";

    /// <summary>Text of the EOS token ("" if none).</summary>
    public string EosText => EosId is { } id && _specialById.TryGetValue(id, out var s) ? s : "";

    /// <summary>Token ids of <paramref name="text"/>, with BOS first when <see cref="AddBos"/> and <paramref name="addBos"/>.</summary>
    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        var ids = new List<int>();
        if (addBos && AddBos && BosId is { } bos) ids.Add(bos);
        ids.AddRange(Inner.EncodeToIds(text));
        return ids;
    }

    /// <summary>Text of <paramref name="ids"/>; special tokens are dropped when <paramref name="skipSpecial"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecial = true)
    {
        var sb = new StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            if (run.Count == 0) return;
            sb.Append(Inner.Decode(run));
            run.Clear();
        }
        foreach (var id in ids)
        {
            if (_specialById.TryGetValue(id, out var special))
            {
                Flush();
                if (!skipSpecial) sb.Append(special);
            }
            else run.Add(id);
        }
        Flush();
        return sb.ToString();
    }

    /// <summary>The vocabulary as decoded bytes, indexed for constrained decoding (built on first use).</summary>
    public TokenVocabulary ConstraintVocabulary => _constraintVocabulary.Value;

    /// <summary>
    /// The bytes each token id stands for (null for special tokens and ids without a piece): byte-level BPE pieces
    /// through the GPT-2 byte map, SentencePiece pieces with ▁ as a space and &lt;0xHH&gt; as the byte.
    /// </summary>
    public byte[]?[] TokenBytes()
    {
        var bytes = new byte[]?[VocabSize];
        if (Vocabulary is { } vocabulary)
        {
            for (var id = 0; id < Math.Min(vocabulary.Count, bytes.Length); id++)
                if (!IsSpecial(id)) bytes[id] = ByteLevelMap.Decode(vocabulary[id]);
        }
        else if (Inner is LlamaTokenizer sentencePiece)
        {
            foreach (var (piece, id) in sentencePiece.Vocabulary)
                if (id >= 0 && id < bytes.Length && !IsSpecial(id)) bytes[id] = PieceBytes(piece);
        }
        return bytes;
    }

    private static byte[] PieceBytes(string piece) =>
        piece is ['<', '0', 'x', _, _, '>'] && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b)
            ? [b]
            : Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));

    /// <summary>True when <paramref name="id"/> is a special (added) token.</summary>
    public bool IsSpecial(int id) => _specialById.ContainsKey(id);

    /// <summary>Loads the tokenizer of the checkpoint in <paramref name="directory"/>.</summary>
    public static ModelTokenizer Load(string directory)
    {
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? ParseJson(configPath) : null;
        var jsonPath = Path.Combine(directory, "tokenizer.json");
        var modelPath = Path.Combine(directory, "tokenizer.model");
        ModelTokenizer tokenizer;
        if (File.Exists(jsonPath) && IsByteLevel(jsonPath, ParseJson(jsonPath), out var root)) tokenizer = FromTokenizerJson(jsonPath, root);
        else if (File.Exists(modelPath)) tokenizer = FromSentencePiece(modelPath, config);
        else if (File.Exists(jsonPath))
            throw new LeverUserException($"{jsonPath}: only byte-level BPE tokenizer.json files are supported", "for SentencePiece models (Llama 2, Mistral) put tokenizer.model next to it");
        else
            throw new LeverUserException($"{directory}: no tokenizer.json or tokenizer.model", "copy the tokenizer files of the checkpoint, or make one with `lever tokenizer train`");
        try
        {
            tokenizer.ApplyConfig(config, configPath);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            // A field of the wrong JSON type (a number where a string belongs, an object where a list does).
            throw new LeverUserException($"{configPath}: unexpected structure ({ex.Message})", "re-download tokenizer_config.json, or remove it", ex);
        }
        return tokenizer;
    }

    private static JsonNode? ParseJson(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxJsonBytes)
            throw new LeverUserException($"{path}: {length} bytes, over the {MaxJsonBytes >> 20} MiB a tokenizer file may have", "real tokenizer files are a few MB: this one is damaged or not a tokenizer");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new LeverUserException($"{path}: invalid JSON at line {ex.LineNumber + 1}: {ex.Message.Split(". ")[0]}", "re-download or re-create the tokenizer files", ex);
        }
    }

    private static bool IsByteLevel(string path, JsonNode? parsed, out JsonObject node)
    {
        node = parsed as JsonObject ?? throw new LeverUserException($"{path}: the JSON is not an object", "re-download the tokenizer, or re-create it with `lever tokenizer train`");
        var text = node["pre_tokenizer"]?.ToJsonString() + node["decoder"]?.ToJsonString();
        return node["model"] is JsonObject model && model["type"] is JsonValue type && type.TryGetValue<string>(out var name) && name == "BPE"
            && text.Contains("\"ByteLevel\"", StringComparison.Ordinal);
    }

    private static ModelTokenizer FromTokenizerJson(string path, JsonObject root)
    {
        try
        {
            return FromTokenizerJsonUnchecked(path, root);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or OverflowException or KeyNotFoundException)
        {
            // JsonNode's accessors throw InvalidOperationException on a field of the wrong type; BpeTokenizer and Regex
            // throw ArgumentException on inconsistent vocabularies and bad patterns.
            throw new LeverUserException($"{path}: unexpected structure ({ex.Message})", "re-download the tokenizer, or re-create it with `lever tokenizer train`", ex);
        }
    }

    private static ModelTokenizer FromTokenizerJsonUnchecked(string path, JsonObject root)
    {
        LeverUserException Bad(string field, string what) => new($"{path}: field {field} {what}", "re-download the tokenizer, or re-create it with `lever tokenizer train`");
        var model = root["model"] ?? throw Bad("model", "is missing");
        if (model["vocab"] is not JsonObject vocabObj) throw Bad("model.vocab", "is missing or not an object");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocabObj)
            vocab[token] = id is JsonValue v && v.TryGetValue<int>(out var n) && n is >= 0 and < MaxVocabulary ? n
                : throw Bad($"model.vocab.{token}", $"is not a token id between 0 and {MaxVocabulary - 1}");

        var merges = new List<string>();
        if (model["merges"] is JsonArray mergeArray)
        {
            foreach (var m in mergeArray)
            {
                // tokenizers ≥ 0.20 writes [left, right]; older files write "left right".
                merges.Add(m switch
                {
                    JsonArray pair when pair.Count == 2 => $"{pair[0]!.GetValue<string>()} {pair[1]!.GetValue<string>()}",
                    JsonValue v => v.GetValue<string>(),
                    _ => throw Bad("model.merges", "has an entry that is neither \"a b\" nor [a, b]"),
                });
            }
        }

        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root["added_tokens"] is JsonArray added)
            foreach (var t in added)
            {
                if (t?["content"] is not JsonValue content || !content.TryGetValue<string>(out var text)
                    || t["id"] is not JsonValue idNode || !idNode.TryGetValue<int>(out var id) || id is < 0 or >= MaxVocabulary)
                    throw Bad("added_tokens", $"has an entry without a string content and an id between 0 and {MaxVocabulary - 1}");
                special[text] = id;
            }

        var pattern = PreTokenizerRegex(root["pre_tokenizer"]);
        var options = new BpeOptions(vocab.Where(kv => !special.ContainsKey(kv.Key)))
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled, RegexTimeout), special),
        };
        var inner = BpeTokenizer.Create(options);

        var size = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max() + 1, special.Count == 0 ? 0 : special.Values.Max() + 1);
        var byId = new string[size];
        foreach (var (token, id) in vocab) byId[id] = token;
        foreach (var (token, id) in special) byId[id] = token;
        for (var i = 0; i < size; i++) byId[i] ??= $"<|unused_{i}|>";
        var tokenizer = new ModelTokenizer(inner, "bpe", special, byId, merges, pattern, size);

        // Llama 3 style: the post-processor template adds BOS to every single sequence.
        var single = root["post_processor"]?.ToJsonString() ?? "";
        if (single.Contains("\"SpecialToken\"", StringComparison.Ordinal))
        {
            var first = root["post_processor"]?["single"]?[0]?["SpecialToken"]?["id"]?.GetValue<string>()
                ?? root["post_processor"]?["processors"]?.AsArray().Select(p => p?["single"]?[0]?["SpecialToken"]?["id"]?.GetValue<string>()).FirstOrDefault(s => s is not null);
            if (first is not null && special.TryGetValue(first, out var bos)) { tokenizer.BosId = bos; tokenizer.AddBos = true; }
        }
        return tokenizer;
    }

    /// <summary>The split regex of a tokenizer.json pre_tokenizer (Split pattern, Digits, or ByteLevel's GPT-2 regex).</summary>
    private static string PreTokenizerRegex(JsonNode? pre)
    {
        if (pre is null) return Gpt2Pattern;
        var type = pre["type"]?.GetValue<string>();
        if (type == "Sequence" && pre["pretokenizers"] is JsonArray parts)
        {
            var split = parts.FirstOrDefault(p => p?["type"]?.GetValue<string>() == "Split");
            if (split?["pattern"]?["Regex"]?.GetValue<string>() is { } regex) return regex;
            // SmolLM: individual digits, then GPT-2's split.
            if (parts.Any(p => p?["type"]?.GetValue<string>() == "Digits")) return @"\p{N}|" + Gpt2Pattern;
            return Gpt2Pattern;
        }
        if (type == "Split" && pre["pattern"]?["Regex"]?.GetValue<string>() is { } r) return r;
        return Gpt2Pattern;
    }

    private static ModelTokenizer FromSentencePiece(string path, JsonNode? config)
    {
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (config?["added_tokens_decoder"] is JsonObject decoder)
            foreach (var (id, t) in decoder)
            {
                if (t?["content"] is not JsonValue content || !content.TryGetValue<string>(out var text)
                    || !int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n >= MaxVocabulary)
                    throw new LeverUserException($"{Path.Combine(Path.GetDirectoryName(path)!, "tokenizer_config.json")}: field added_tokens_decoder.{id} needs a token id key and a string content", "re-download tokenizer_config.json");
                special[text] = n;
            }
        var length = new FileInfo(path).Length;
        if (length > MaxJsonBytes)
            throw new LeverUserException($"{path}: {length} bytes, over the {MaxJsonBytes >> 20} MiB a tokenizer file may have", "real tokenizer.model files are under 10 MB: this one is damaged or not a tokenizer");
        var bytes = File.ReadAllBytes(path);
        if (SentencePieceProto.Problem(bytes) is { } problem)
            throw new LeverUserException($"{path}: not a SentencePiece model ({problem})", "re-download tokenizer.model");
        using var stream = new MemoryStream(bytes, writable: false);
        LlamaTokenizer inner;
        try
        {
            inner = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false, specialTokens: special.Count > 0 ? special : null);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or IOException or OverflowException
            or NullReferenceException or IndexOutOfRangeException or KeyNotFoundException)
        {
            // Microsoft.ML.Tokenizers' reader is not hardened against inconsistent models (NullReferenceException on
            // a missing sub-message the check above did not foresee): whatever it throws is this file's fault.
            throw new LeverUserException($"{path}: not a SentencePiece model ({ex.Message})", "re-download tokenizer.model", ex);
        }
        foreach (var (text, id) in new[] { (inner.BeginningOfSentenceToken, inner.BeginningOfSentenceId), (inner.EndOfSentenceToken, inner.EndOfSentenceId), (inner.UnknownToken, inner.UnknownId) })
            special.TryAdd(text, id);
        var size = Math.Max(inner.Vocabulary.Count, special.Values.DefaultIfEmpty(0).Max() + 1);
        return new ModelTokenizer(inner, "sentencepiece", special, null, null, null, size)
        {
            BosId = inner.BeginningOfSentenceId,
            EosId = inner.EndOfSentenceId,
            AddBos = true,
        };
    }

    private void ApplyConfig(JsonNode? config, string path)
    {
        int? Id(string field)
        {
            var node = config?[field];
            var text = node is JsonObject o ? o["content"]?.GetValue<string>() : node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (text is null) return null;
            if (SpecialTokens.TryGetValue(text, out var id)) return id;
            var ids = Inner.EncodeToIds(text);
            if (ids.Count == 1) return ids[0];
            throw new LeverUserException($"{path}: field {field} \"{text}\" is not a single token of this vocabulary", "fix tokenizer_config.json");
        }
        BosId = Id("bos_token") ?? BosId;
        EosId = Id("eos_token") ?? EosId;
        PadId = Id("pad_token") ?? EosId;
        if (config?["add_bos_token"] is JsonValue addBos && addBos.TryGetValue<bool>(out var add)) AddBos = add && BosId is not null;

        var jinja = config?["chat_template"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonArray list => list.Select(t => t?["template"]?.GetValue<string>()).FirstOrDefault(),
            _ => null,
        };
        ChatTemplate = ChatTemplate.Detect(jinja) ?? (SpecialTokens.ContainsKey("<|im_start|>") ? ChatTemplate.ChatMl
            : SpecialTokens.ContainsKey("<|start_header_id|>") ? ChatTemplate.Llama3 : Kind == "sentencepiece" ? ChatTemplate.Llama2 : ChatTemplate.Plain);
    }

    /// <summary>The bytes of token <paramref name="id"/> for byte-level BPE (null for specials or other kinds).</summary>
    internal byte[]? TokenBytes(int id) => Vocabulary is null || IsSpecial(id) || id >= Vocabulary.Count ? null : ByteLevelMap.Decode(Vocabulary[id]);
}
