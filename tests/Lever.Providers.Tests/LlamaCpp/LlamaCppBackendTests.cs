using Lever.Core.Config;
using Lever.Engine.Generation;
using Lever.Providers.LlamaCpp;
using Lever.Providers.LlamaCpp.Gguf;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Tests.LlamaCpp;

/// <summary>llama.cpp in process over a GGUF Lever exported: the TorchSharp engine's parity oracle and a provider like any other.</summary>
public sealed class LlamaCppBackendTests(TinyGgufFixture tiny) : IClassFixture<TinyGgufFixture>
{
    private static readonly string[] Prompts = ["The quick brown fox", "def add(a, b):\n    return a + b", "In 2024 the team trained 3 models"];

    [Fact]
    public async Task Greedy_output_of_the_F32_gguf_equals_the_engines_token_for_token()
    {
        using var engine = TextGenerator.Load(tiny.ModelDirectory);
        var all = new List<int>();
        foreach (var text in Prompts)
        {
            var ids = engine.Tokenizer.Encode(text);
            Assert.Equal(ids, tiny.Model.Tokenize(text));   // same tokens in, from the exported vocabulary
            var expected = await engine.GenerateAsync(ids, new GenerationOptions { MaxTokens = 24, Temperature = 0 });
            var actual = tiny.Model.Generate(ids, new LlamaCppSampling { MaxTokens = 24 });
            Assert.Equal(expected.TokenIds, actual.TokenIds);
            Assert.Equal(expected.Text, actual.Text);
            all.AddRange(actual.TokenIds);
        }
        Assert.True(all.Distinct().Count() > 5, $"continuations of few distinct tokens would prove little: {string.Join(' ', all)}");
    }

    [Fact]
    public void Label_scores_through_the_scorer_seam_match_the_engines()
    {
        var yaml = $"providers:\n  gguf:\n    kind: llamacpp\n    model: {tiny.GgufPath}\n  torch:\n    kind: local\n    model: {tiny.ModelDirectory}\n";
        var backends = Lever.Providers.Engine.EngineBackend.WithHttp.With(new LlamaCppBackend());
        var registry = ProviderRegistry.Load(LeverConfig.Parse("lever.yaml", yaml), new ProviderConnection { BaseDirectory = tiny.Directory, GetEnvironment = _ => null, Backends = backends });
        (string, string)[] items = [("Is this spam? Buy now!\nAnswer:", " spam"), ("Is this spam? Buy now!\nAnswer:", " ham"), ("Meeting at 3\nAnswer:", " ham")];
        using var llama = registry.Scorer("gguf");
        using var torch = registry.Scorer("torch");
        var ours = llama.Score(items);
        var theirs = torch.Score(items);
        Assert.Equal("tiny-f32", llama.ModelId);
        for (var i = 0; i < items.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) < 1e-3 * Math.Max(1, Math.Abs(theirs[i])), $"item {i}: llama.cpp {ours[i]:F5}, engine {theirs[i]:F5}");   // F32 sums in another order: 1e-4 relative seen
        Assert.NotEqual(ours[0], ours[1], 3);
    }

    [Fact]
    public async Task The_chat_client_streams_what_it_answers_counts_tokens_and_reuses_the_cached_prefix()
    {
        using var chat = new LlamaCppChatClient(tiny.Model);
        var options = new ChatOptions { MaxOutputTokens = 10, Temperature = 0, Instructions = "Be brief." };
        List<ChatMessage> messages = [new(ChatRole.User, "hello there")];
        var (prompt, _) = chat.Prepare(messages, options);
        using (var engineChat = LocalChatClient.Load(tiny.ModelDirectory))
        {
            // no chat_template in a Lever export: the same family the engine picks from the vocabulary (ChatML here), the same prompt tokens
            Assert.Equal(engineChat.Template.Name, chat.TemplateName);
            Assert.Equal(engineChat.Prepare(messages, options).Prompt, prompt);
        }
        var response = await chat.GetResponseAsync(messages, options);
        Assert.Equal(prompt.Count, response.Usage!.InputTokenCount);
        Assert.Equal(response.FinishReason == ChatFinishReason.Length ? 10 : response.Usage.OutputTokenCount, response.Usage.OutputTokenCount);

        var streamed = new System.Text.StringBuilder();
        UsageDetails? usage = null;
        await foreach (var update in chat.GetStreamingResponseAsync(messages, options))
        {
            streamed.Append(update.Text);
            usage = update.Contents.OfType<UsageContent>().SingleOrDefault()?.Details ?? usage;
        }
        Assert.Equal(response.Text, streamed.ToString());
        Assert.Equal(prompt.Count - 1, usage!.CachedInputTokenCount);   // the same prompt again: all but the last token came from the KV cache
        Assert.Equal(response.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public void Seeds_repeat_samples_and_stop_sequences_end_the_text_before_them()
    {
        var ids = tiny.Model.Tokenize("Once upon a time");
        var hot = new LlamaCppSampling { MaxTokens = 16, Temperature = 1.5, Seed = 7 };
        var a = tiny.Model.Generate(ids, hot);
        var b = tiny.Model.Generate(ids, hot);
        var c = tiny.Model.Generate(ids, hot with { Seed = 8 });
        Assert.Equal(a.TokenIds, b.TokenIds);
        Assert.NotEqual(a.TokenIds, c.TokenIds);

        var greedy = tiny.Model.Generate(ids, new LlamaCppSampling { MaxTokens = 24 });
        Assert.Equal("length", greedy.FinishReason);
        Assert.True(greedy.Text.Length > 4, greedy.Text);
        var stop = greedy.Text.Substring(2, 2);
        var streamed = new System.Text.StringBuilder();
        var stopped = tiny.Model.Generate(ids, new LlamaCppSampling { MaxTokens = 24, StopSequences = [stop] }, t => streamed.Append(t));
        Assert.Equal("stop", stopped.FinishReason);
        Assert.Equal(greedy.Text[..greedy.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(stopped.Text, streamed.ToString());
    }

    [Fact]
    public void The_export_passes_the_validator_with_the_tensor_table_llama_cpp_loaded()
    {
        var file = GgufValidator.ValidateFile(tiny.GgufPath);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(3 * 9 + 2, file.Tensors.Count);   // 9 per block, token_embd, output_norm (tied: no output.weight)
        Assert.All(file.Tensors, t => Assert.Equal("F32", t.Type));
        Assert.Equal(new FileInfo(tiny.GgufPath).Length, file.Tensors.Max(t => t.Offset + t.Bytes));
        Assert.Equal(512, tiny.Model.VocabularySize);
        Assert.Equal(Environment.ProcessorCount, tiny.Model.Threads);
    }
}
