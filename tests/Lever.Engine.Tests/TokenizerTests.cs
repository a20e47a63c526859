using System.Text.Json.Nodes;
using Lever.Engine.Tokenizers;

namespace Lever.Engine.Tests;

public sealed class TokenizerTests
{
    internal static readonly string[] Corpus =
    [
        "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away!",
        "Prompting changes the input, retrieval adds context, and fine-tuning changes the weights.",
        "In 2024 the team trained 3 models for 1,250 steps each, then evaluated them on 400 questions.",
        "def add(a, b):\n    return a + b\n\nprint(add(2, 3))\n",
        "Überall café naïve — ünïcödé text, and emoji 🙂 too.",
        "<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\nHi! How can I help?<|im_end|>\n",
    ];

    internal static IEnumerable<string> RepeatedCorpus() => Enumerable.Range(0, 20).SelectMany(i => Corpus.Select(c => i % 2 == 0 ? c : c.ToUpperInvariant()));

    [Fact]
    public void Trained_tokenizer_json_loads_in_Microsoft_ML_Tokenizers_and_matches_the_reference_encoder()
    {
        var trained = BpeTrainer.Train(RepeatedCorpus(), 420);
        Assert.Equal(420, trained.VocabSize);
        Assert.True(trained.MergePairs.Count > 100);
        var dir = TinyModels.TempDir("tok");
        trained.Save(dir);
        var tokenizer = ModelTokenizer.Load(dir);
        Assert.Equal("bpe", tokenizer.Kind);
        Assert.Equal(420, tokenizer.VocabSize);
        Assert.Equal(ChatTemplate.ChatMl, tokenizer.ChatTemplate);
        Assert.Equal(0, tokenizer.EosId);

        string[] samples = [.. Corpus, "unseen words: zebra quartz 98765 \t tabs\r\nCRLF", "  leading spaces and trailing  ", "<|im_end|><|im_start|>x", ""];
        foreach (var text in samples)
        {
            var ml = tokenizer.Encode(text, addBos: false);
            Assert.Equal(trained.Encode(text), ml);
            Assert.Equal(text, tokenizer.Decode(ml, skipSpecial: false));
        }
        // Merges compress: common words become single tokens.
        var count = tokenizer.Encode(Corpus[0]).Count;
        Assert.True(count < Corpus[0].Length * 0.6, $"{count} tokens for {Corpus[0].Length} chars");
        Assert.Equal("Hello", tokenizer.Decode(tokenizer.Encode("<|im_start|>Hello<|im_end|>")));
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var a = BpeTrainer.Train(RepeatedCorpus(), 350);
        var b = BpeTrainer.Train(RepeatedCorpus(), 350);
        Assert.Equal(a.MergePairs, b.MergePairs);
    }

    [Fact]
    public void Small_corpus_pads_the_vocabulary_with_reserved_tokens()
    {
        var trained = BpeTrainer.Train(["ab ab ab"], 300);
        Assert.Equal(300, trained.VocabSize);
        Assert.NotEmpty(trained.ReservedTokens);
        var dir = TinyModels.TempDir("tok");
        trained.Save(dir);
        var tokenizer = ModelTokenizer.Load(dir);
        Assert.Equal(300, tokenizer.VocabSize);
        Assert.Equal("ab xyz", tokenizer.Decode(tokenizer.Encode("ab xyz")));
    }

    [Fact]
    public void Tokenizer_json_with_pair_merges_and_a_bos_post_processor_adds_bos()
    {
        var dir = TinyModels.TempDir("tok");
        BpeTrainer.Train(RepeatedCorpus(), 400).Save(dir);
        var path = Path.Combine(dir, "tokenizer.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        var merges = root["model"]!["merges"]!.AsArray().Select(m => (JsonNode)new JsonArray(m!.GetValue<string>().Split(' ').Select(p => (JsonNode)JsonValue.Create(p)!).ToArray())).ToArray();
        root["model"]!["merges"] = new JsonArray(merges);
        root["post_processor"] = JsonNode.Parse("""{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|endoftext|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}]}""");
        File.WriteAllText(path, root.ToJsonString());
        File.Delete(Path.Combine(dir, "tokenizer_config.json"));
        var tokenizer = ModelTokenizer.Load(dir);
        var ids = tokenizer.Encode("the fox");
        Assert.Equal(0, ids[0]);
        Assert.Equal(BpeTrainer.Train(RepeatedCorpus(), 400).Encode("the fox"), ids.Skip(1));
        Assert.Equal(ChatTemplate.ChatMl, tokenizer.ChatTemplate);   // recognised from the special tokens
    }

    [Fact]
    public void Chat_templates_format_each_family()
    {
        ChatTurn[] turns = [new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello."), new("user", "Bye")];
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
            ChatTemplate.ChatMl.Format(turns));
        Assert.Equal("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatTemplate.Llama3.Format(turns, bos: "<|begin_of_text|>"));
        Assert.Equal("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello.</s><s>[INST] Bye [/INST]", ChatTemplate.Llama2.Format(turns));
        Assert.Equal("<s>[INST] Be brief.\n\nHi [/INST] Hello.</s><s>[INST] Bye [/INST]", ChatTemplate.Mistral.Format(turns));
        Assert.Equal("System: Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Bye\n\nAssistant:", ChatTemplate.Plain.Format(turns));
        Assert.Equal(ChatTemplate.Llama3, ChatTemplate.Detect("{{ '<|start_header_id|>' + message['role'] }}"));
        Assert.Equal(ChatTemplate.Mistral, ChatTemplate.Detect("{{ '[INST] ' + message['content'] + ' [/INST]' }}"));
        Assert.Equal(ChatTemplate.Llama2, ChatTemplate.FromName("LLAMA2"));
        Assert.Throws<Lever.Core.LeverUserException>(() => ChatTemplate.FromName("vicuna"));
    }
}
