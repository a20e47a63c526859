using Lever.Engine.Generation;
using Microsoft.Extensions.AI;
using static TorchSharp.torch;

namespace Lever.Engine.Tests;

public sealed class GenerationTests(TinyCheckpoint checkpoint) : IClassFixture<TinyCheckpoint>
{
    private readonly TextGenerator _gen = checkpoint.Generator;
    private static readonly GenerationOptions NoStop = new() { MaxTokens = 12, UsePrefixCache = false };

    /// <summary>Greedy decoding the slow way: re-run the whole sequence without a cache and take the argmax.</summary>
    private List<int> ReferenceGreedy(IReadOnlyList<int> prompt, int n, IReadOnlyCollection<int> stop)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var seq = prompt.ToList();
        var output = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var logits = _gen.Model.forward(tensor(seq.Select(x => (long)x).ToArray()).unsqueeze(0));
            var next = (int)logits[0, -1].argmax().item<long>();
            output.Add(next);
            if (stop.Contains(next)) break;
            seq.Add(next);
        }
        return output;
    }

    [Fact]
    public void Greedy_generation_with_the_kv_cache_equals_recomputing_from_scratch()
    {
        var prompt = _gen.Tokenizer.Encode("The quick brown fox");
        var result = _gen.Generate(prompt, NoStop with { MaxTokens = 20 });
        Assert.Equal(ReferenceGreedy(prompt, 20, [0, 2]), result.TokenIds);
        Assert.Equal(prompt.Count, result.PromptTokens);
    }

    [Fact]
    public void Seeded_sampling_is_reproducible_and_seeds_matter()
    {
        var prompt = _gen.Tokenizer.Encode("Prompting changes");
        var o = NoStop with { Temperature = 1.5, MaxTokens = 24, StopTokenIds = [] };
        var a = _gen.Generate(prompt, o with { Seed = 1 });
        var b = _gen.Generate(prompt, o with { Seed = 1 });
        var c = _gen.Generate(prompt, o with { Seed = 2 });
        Assert.Equal(a.TokenIds, b.TokenIds);
        Assert.NotEqual(a.TokenIds, c.TokenIds);
    }

    [Fact]
    public void Top_k_one_and_a_tiny_top_p_are_greedy()
    {
        var prompt = _gen.Tokenizer.Encode("def add(a, b):");
        var greedy = _gen.Generate(prompt, NoStop).TokenIds;
        Assert.Equal(greedy, _gen.Generate(prompt, NoStop with { Temperature = 2, TopK = 1, Seed = 5 }).TokenIds);
        Assert.Equal(greedy, _gen.Generate(prompt, NoStop with { Temperature = 2, TopP = 1e-6, Seed = 5 }).TokenIds);
    }

    [Fact]
    public void A_strong_repetition_penalty_prevents_repeats()
    {
        var prompt = _gen.Tokenizer.Encode("the the the");
        var penalised = _gen.Generate(prompt, NoStop with { MaxTokens = 30, RepetitionPenalty = 1e6 }).TokenIds;
        Assert.Equal(penalised.Count, penalised.Distinct().Count());
        Assert.DoesNotContain(penalised, prompt.Contains);
    }

    [Fact]
    public void Stop_sequences_cut_the_text_and_max_tokens_caps_the_length()
    {
        var prompt = _gen.Tokenizer.Encode("In 2024 the team");
        var full = _gen.Generate(prompt, NoStop with { MaxTokens = 30 });
        Assert.Equal("length", full.FinishReason);
        Assert.Equal(30, full.OutputTokens);
        Assert.True(full.Text.Length >= 4, full.Text);
        var stop = full.Text.Substring(full.Text.Length / 2, 2);
        var cut = _gen.Generate(prompt, NoStop with { MaxTokens = 30, StopSequences = [stop] });
        Assert.Equal("stop", cut.FinishReason);
        Assert.Equal(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)], cut.Text);
    }

    [Fact]
    public async Task Streaming_deltas_add_up_to_the_final_text()
    {
        var prompt = _gen.Tokenizer.Encode("Hello there");
        var expected = _gen.Generate(prompt, NoStop with { MaxTokens = 16 });
        var pieces = new List<GeneratedToken>();
        await foreach (var t in _gen.StreamAsync(prompt, NoStop with { MaxTokens = 16 })) pieces.Add(t);
        Assert.Equal(expected.TokenIds, pieces.Select(p => p.Id));
        Assert.Equal(expected.Text, string.Concat(pieces.Select(p => p.Text)));
        Assert.Equal(expected.FinishReason, pieces[^1].FinishReason);
        Assert.All(pieces.SkipLast(1), p => Assert.Null(p.FinishReason));
    }

    [Fact]
    public void Batched_generation_of_different_lengths_equals_one_by_one()
    {
        string[] prompts = ["The dog", "In 2024 the team trained 3 models", "Hi"];
        var batch = _gen.GenerateBatch(prompts, NoStop with { MaxTokens = 10 });
        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(_gen.Generate(prompts[i], NoStop with { MaxTokens = 10 }).TokenIds, batch[i].TokenIds);
    }

    [Fact]
    public void The_prefix_cache_reuses_a_shared_prefix_and_changes_nothing()
    {
        using var gen = new TextGenerator(_gen.Model, _gen.Tokenizer, new PrefixCache());
        var system = "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away! ";
        var first = gen.Generate(system + "Question one?", NoStop with { UsePrefixCache = true });
        Assert.Equal(0, first.CachedPromptTokens);
        var second = gen.Generate(system + "Another question?", NoStop with { UsePrefixCache = true });
        var systemTokens = gen.Tokenizer.Encode(system).Count;
        Assert.InRange(second.CachedPromptTokens, systemTokens - 2, systemTokens + 1);
        var uncached = gen.Generate(system + "Another question?", NoStop);
        Assert.Equal(uncached.TokenIds, second.TokenIds);
        Assert.Equal(1, gen.PrefixCache.Hits);
    }

    [Fact]
    public void Prefix_cache_evicts_least_recently_used_within_the_budget()
    {
        using var noGrad = no_grad();
        var config = _gen.Model.Config;
        Lever.Engine.Modules.KvCache Filled(int n)
        {
            var c = new Lever.Engine.Modules.KvCache(config, 1, n);
            using var scope = NewDisposeScope();
            _gen.Model.Forward(arange(n, dtype: ScalarType.Int64).unsqueeze(0) % 50 + 3, null, c);
            return c;
        }
        using var kv = Filled(20);
        var perEntry = kv.Clone(20, 0).Bytes;
        using var cache = new PrefixCache(perEntry * 2);
        int[] a = [.. Enumerable.Range(0, 20)], b = [.. Enumerable.Range(100, 20)], c = [.. Enumerable.Range(200, 20)];
        cache.Store(a, kv);
        cache.Store(b, kv);
        Assert.NotNull(cache.Acquire([.. a[..10], 999], 4));   // touch a: b is now least recent
        cache.Store(c, kv);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Bytes <= cache.BudgetBytes);
        Assert.Null(cache.Acquire([.. b, 1], 4));
        using var hit = cache.Acquire([.. c[..15], 7, 8], 4);
        Assert.Equal(15, hit!.Length);
    }

    [Fact]
    public void Scores_equal_log_softmax_of_a_plain_forward_and_batching_changes_nothing()
    {
        (string, string)[] items = [("The quick brown", " fox jumps"), ("Hi", "!"), ("In 2024 the team trained", " 3 models for 1,250 steps"), ("x", "")];
        var batched = _gen.Score(items, batchSize: 4);
        var single = _gen.Score(items, batchSize: 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var i = 0; i < items.Length; i++)
        {
            var ctx = _gen.Tokenizer.Encode(items[i].Item1);
            var cont = _gen.Tokenizer.Encode(items[i].Item2, addBos: false);
            var seq = ctx.Concat(cont).Select(x => (long)x).ToArray();
            var lp = _gen.Model.forward(tensor(seq).unsqueeze(0)).log_softmax(-1)[0];
            double expected = 0;
            for (var t = 0; t < cont.Count; t++) expected += lp[ctx.Count - 1 + t, cont[t]].item<float>();
            Assert.Equal(expected, batched[i].LogProbability, 3);
            Assert.Equal(single[i].LogProbability, batched[i].LogProbability, 3);
            Assert.Equal(cont.Count, batched[i].Tokens);
        }
        Assert.True(batched[0].LogProbability < 0);
    }

    [Fact]
    public async Task Chat_client_reports_input_cached_and_output_tokens()
    {
        using var gen = new TextGenerator(_gen.Model, _gen.Tokenizer, new PrefixCache());
        using var client = new LocalChatClient(gen, "tiny");
        var options = new ChatOptions { MaxOutputTokens = 8, Instructions = "You answer questions about foxes and dogs, briefly and politely." };
        var first = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Where is the fox?")], options);
        Assert.Equal(0, first.Usage!.CachedInputTokenCount);
        Assert.True(first.Usage.InputTokenCount > 10);
        Assert.InRange(first.Usage.OutputTokenCount!.Value, 1, 8);
        Assert.Equal(first.Usage.InputTokenCount + first.Usage.OutputTokenCount, first.Usage.TotalTokenCount);
        Assert.Equal("tiny", first.ModelId);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Where is the dog?")], options)) updates.Add(u);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.True(usage.CachedInputTokenCount > 10, $"cached {usage.CachedInputTokenCount}");
        Assert.True(usage.CachedInputTokenCount < usage.InputTokenCount);
        Assert.NotNull(updates[^1].FinishReason);

        // The prompt is the ChatML rendering of the conversation.
        var (prompt, _) = client.Prepare([new ChatMessage(ChatRole.User, "Hi")], null);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", gen.Tokenizer.Decode(prompt, skipSpecial: false));
    }
}
