// Autoregressive decoding on the local model: prefill the prompt (reusing a cached prefix when one matches), then
// one token at a time through the KV cache. Also batched decoding of prompts of different lengths (left padding +
// attention mask) and log-likelihood scoring of continuations.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lever.Core;
using Lever.Engine.Checkpoints;
using Lever.Engine.Internal;
using Lever.Engine.Modules;
using Lever.Engine.Tokenizers;
using static TorchSharp.torch;

namespace Lever.Engine.Generation;

/// <summary>Generates text with a local model and its tokenizer. Calls are serialised: one model, one computation at a time.</summary>
public sealed class TextGenerator : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<int> _eos;
    private readonly bool _ownsModel;

    /// <summary>
    /// Wraps a loaded model and tokenizer; <paramref name="prefixCache"/> defaults to a 256 MB cache. The model is
    /// disposed with the generator only when <paramref name="ownsModel"/>.
    /// </summary>
    public TextGenerator(LlamaForCausalLM model, ModelTokenizer tokenizer, PrefixCache? prefixCache = null, bool ownsModel = false)
    {
        _ownsModel = ownsModel;
        Model = model;
        Tokenizer = tokenizer;
        PrefixCache = prefixCache ?? new PrefixCache();
        model.eval();
        _eos = [.. model.Config.EosTokenId ?? []];
        if (tokenizer.EosId is { } e) _eos.Add(e);
    }

    /// <summary>Loads the checkpoint and tokenizer in <paramref name="directory"/>.</summary>
    public static TextGenerator Load(string directory) => new(HfCheckpoint.Load(directory), ModelTokenizer.Load(directory), ownsModel: true);

    /// <summary>The model.</summary>
    public LlamaForCausalLM Model { get; }

    /// <summary>The tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; }

    /// <summary>KV of recent prompt prefixes.</summary>
    public PrefixCache PrefixCache { get; }

    /// <summary>Generates a continuation of <paramref name="prompt"/> (BOS added as the tokenizer says).</summary>
    public GenerationResult Generate(string prompt, GenerationOptions options, CancellationToken cancellationToken = default) =>
        Generate(Tokenizer.Encode(prompt), options, null, cancellationToken);

    /// <summary>Generates a continuation of <paramref name="promptIds"/>; <paramref name="onToken"/> sees every step.</summary>
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options, Action<GeneratedToken>? onToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _gate.Wait(cancellationToken);
        try
        {
            return Run(promptIds, options, onToken, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Streams the continuation of <paramref name="promptIds"/> token by token; the model runs on a worker thread.</summary>
    public async IAsyncEnumerable<GeneratedToken> StreamAsync(IReadOnlyList<int> promptIds, GenerationOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var worker = Task.Run(() =>
        {
            try
            {
                Generate(promptIds, options, t => channel.Writer.TryWrite(t), cancellationToken);
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        await foreach (var token in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return token;
        await worker.ConfigureAwait(false);
    }

    /// <summary>Runs <see cref="Generate(IReadOnlyList{int}, GenerationOptions, Action{GeneratedToken}?, CancellationToken)"/> on a worker thread.</summary>
    public async Task<GenerationResult> GenerateAsync(IReadOnlyList<int> promptIds, GenerationOptions options, Action<GeneratedToken>? onToken = null, CancellationToken cancellationToken = default) =>
        await Task.Run(() => Generate(promptIds, options, onToken, cancellationToken), cancellationToken).ConfigureAwait(false);

    private GenerationResult Run(IReadOnlyList<int> promptIds, GenerationOptions options, Action<GeneratedToken>? onToken, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var prompt = promptIds.Count > 0 ? promptIds : Tokenizer.BosId is { } bos ? [bos]
            : throw new LeverUserException("the prompt is empty and the tokenizer has no BOS token to start from", "give a non-empty prompt");
        var config = Model.Config;
        if (prompt.Any(id => id < 0 || id >= config.VocabSize))
            throw new LeverUserException($"prompt has a token id outside the vocabulary (0..{config.VocabSize - 1})", "the tokenizer does not match the model");
        var room = config.MaxPositionEmbeddings - prompt.Count;
        if (room <= 0)
            throw new LeverUserException($"the prompt has {prompt.Count} tokens; the model's context is {config.MaxPositionEmbeddings}", "shorten the prompt");
        var maxTokens = Math.Min(options.MaxTokens, room);

        using var noGrad = no_grad();
        var cache = options.UsePrefixCache ? PrefixCache.Acquire(prompt, maxTokens + 1) : null;
        var cached = cache?.Length ?? 0;
        cache ??= new KvCache(config, 1, prompt.Count + maxTokens + 1);
        try
        {
            var sampler = new Sampler(options);
            var stream = new TextStream(Tokenizer, options.StopSequences);
            var stopIds = new HashSet<int>(_eos.Concat(options.StopTokenIds));
            var seen = new List<int>(prompt);
            var generated = new List<int>();
            var ttft = TimeSpan.Zero;
            var finish = "length";

            Tensor Step(IReadOnlyList<int> ids)
            {
                var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]);
                return Model.Forward(input, null, cache, lastTokenOnly: true)[0, 0];   // (V)
            }

            using (var scope = NewDisposeScope())
            {
                var logits = Step(prompt.Skip(cached).ToList());
                if (options.UsePrefixCache) PrefixCache.Store(prompt, cache);
                for (var i = 0; i < maxTokens; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    using var stepScope = NewDisposeScope();
                    var next = sampler.Next(logits, seen);
                    if (i == 0) ttft = watch.Elapsed;
                    generated.Add(next);
                    seen.Add(next);
                    if (stopIds.Contains(next))
                    {
                        finish = "stop";
                        onToken?.Invoke(new GeneratedToken(next, stream.Flush(), finish, cached));
                        break;
                    }
                    var delta = stream.Push(next);
                    if (stream.Stopped)
                    {
                        finish = "stop";
                        onToken?.Invoke(new GeneratedToken(next, delta, finish, cached));
                        break;
                    }
                    if (i == maxTokens - 1)
                    {
                        onToken?.Invoke(new GeneratedToken(next, delta + stream.Flush(), finish, cached));
                        break;
                    }
                    onToken?.Invoke(new GeneratedToken(next, delta, null, cached));
                    logits.Dispose();
                    logits = Step([next]).MoveToOuterDisposeScope();
                }
            }
            if (!stream.Stopped) stream.Flush();
            return new GenerationResult(stream.Text, generated, finish, prompt.Count, cached, ttft, watch.Elapsed);
        }
        finally
        {
            cache.Dispose();
        }
    }

    /// <summary>
    /// Generates for several prompts at once: left-padded to one length, with an attention mask so padding is never
    /// attended to and positions count real tokens only. Each row stops on its own; greedy rows equal single runs.
    /// </summary>
    public IReadOnlyList<GenerationResult> GenerateBatch(IReadOnlyList<string> prompts, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prompts.Count == 0) return [];
        _gate.Wait(cancellationToken);
        try
        {
            return RunBatch(prompts.Select(p => Tokenizer.Encode(p)).ToList(), options, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<GenerationResult> RunBatch(List<IReadOnlyList<int>> prompts, GenerationOptions options, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var b = prompts.Count;
        var config = Model.Config;
        if (prompts.Any(p => p.Count == 0)) throw new LeverUserException("a prompt in the batch is empty", "give non-empty prompts");
        var width = prompts.Max(p => p.Count);
        var maxTokens = Math.Min(options.MaxTokens, config.MaxPositionEmbeddings - width);
        var pad = Tokenizer.PadId ?? 0;

        // 1) left padding and the mask (1 = real token).
        var ids = new long[b * width];
        var mask = new long[b * width];
        for (var r = 0; r < b; r++)
        {
            var offset = width - prompts[r].Count;
            for (var j = 0; j < width; j++)
            {
                ids[r * width + j] = j < offset ? pad : prompts[r][j - offset];
                mask[r * width + j] = j < offset ? 0 : 1;
            }
        }

        using var noGrad = no_grad();
        using var cache = new KvCache(config, b, width + maxTokens + 1);
        var samplers = Enumerable.Range(0, b).Select(r => new Sampler(options with { Seed = options.Seed + r })).ToList();
        var streams = Enumerable.Range(0, b).Select(_ => new TextStream(Tokenizer, options.StopSequences)).ToList();
        var seen = prompts.Select(p => new List<int>(p)).ToList();
        var generated = Enumerable.Range(0, b).Select(_ => new List<int>()).ToList();
        var finish = Enumerable.Repeat("length", b).ToArray();
        var done = new bool[b];
        var ttft = TimeSpan.Zero;
        var stopIds = new HashSet<int>(_eos.Concat(options.StopTokenIds));

        using var scope = NewDisposeScope();
        var maskTensor = tensor(mask, [b, width]);
        var logits = Model.Forward(tensor(ids, [b, width]), maskTensor, cache, lastTokenOnly: true);   // (B, 1, V)
        for (var step = 0; step < maxTokens && done.Contains(false); step++)
        {
            ct.ThrowIfCancellationRequested();
            var next = new long[b];
            for (var r = 0; r < b; r++)
            {
                if (done[r]) { next[r] = pad; continue; }
                var token = samplers[r].Next(logits[r, 0], seen[r]);
                next[r] = token;
                generated[r].Add(token);
                seen[r].Add(token);
                if (stopIds.Contains(token)) { done[r] = true; finish[r] = "stop"; continue; }
                streams[r].Push(token);
                if (streams[r].Stopped) { done[r] = true; finish[r] = "stop"; }
            }
            if (step == 0) ttft = watch.Elapsed;
            if (step == maxTokens - 1 || !done.Contains(false)) break;
            // 2) every row takes one more position; finished rows feed padding that nobody reads.
            using var stepScope = NewDisposeScope();
            maskTensor = cat([maskTensor, ones(b, 1, ScalarType.Int64)], 1).MoveToOuterDisposeScope();
            logits = Model.Forward(tensor(next, [b, 1]), maskTensor, cache, lastTokenOnly: true).MoveToOuterDisposeScope();
        }
        return Enumerable.Range(0, b).Select(r =>
        {
            if (!streams[r].Stopped) streams[r].Flush();
            return new GenerationResult(streams[r].Text, generated[r], finish[r], prompts[r].Count, 0, ttft, watch.Elapsed);
        }).ToList();
    }

    /// <summary>
    /// Log-likelihood of each continuation given its prompt, batched: the prompt is encoded with BOS and the
    /// continuation separately without it (so the continuation's tokens are exactly its own), as lm-eval-harness does.
    /// </summary>
    public IReadOnlyList<ContinuationScore> Score(IReadOnlyList<(string Prompt, string Continuation)> items, int batchSize = 8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return ScoreTokens(items.Select(i => (Tokenizer.Encode(i.Prompt), Tokenizer.Encode(i.Continuation, addBos: false))).ToList(), batchSize, cancellationToken);
    }

    /// <summary>Log-likelihood of continuation token ids after context token ids (the context must not be empty).</summary>
    public IReadOnlyList<ContinuationScore> ScoreTokens(IReadOnlyList<(IReadOnlyList<int> Context, IReadOnlyList<int> Continuation)> items, int batchSize = 8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new ContinuationScore[items.Count];
        _gate.Wait(cancellationToken);
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < items.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var batch = items.Skip(start).Take(batchSize).ToList();
                if (batch.Any(x => x.Context.Count == 0)) throw new LeverUserException("a scored prompt has no tokens", "give a non-empty prompt (or a tokenizer that adds BOS)");
                var width = batch.Max(x => x.Context.Count + x.Continuation.Count);
                if (width > Model.Config.MaxPositionEmbeddings)
                    throw new LeverUserException($"prompt + continuation is {width} tokens; the model's context is {Model.Config.MaxPositionEmbeddings}", "shorten the prompt");
                // Right padding needs no mask: causal attention never lets a real token see the padding after it.
                var ids = new long[batch.Count * width];
                for (var r = 0; r < batch.Count; r++)
                {
                    var seq = batch[r].Context.Concat(batch[r].Continuation).ToArray();
                    for (var j = 0; j < seq.Length; j++) ids[r * width + j] = seq[j];
                }
                var logProbs = Model.forward(tensor(ids, [batch.Count, width])).log_softmax(-1);   // (B, T, V)
                for (var r = 0; r < batch.Count; r++)
                {
                    var (context, continuation) = batch[r];
                    if (continuation.Count == 0) { results[start + r] = new ContinuationScore(0, 0, true); continue; }
                    // Token t of the continuation is predicted at position context + t - 1.
                    var rows = logProbs[r].narrow(0, context.Count - 1, continuation.Count);                    // (C, V)
                    var target = tensor(continuation.Select(i => (long)i).ToArray()).unsqueeze(1);             // (C, 1)
                    var sum = rows.gather(1, target).sum().item<float>();
                    var greedy = rows.argmax(1).eq(target.squeeze(1)).all().item<bool>();
                    results[start + r] = new ContinuationScore(sum, continuation.Count, greedy);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        return results;
    }

    /// <summary>Frees the prefix cache, the lock, and the model if this generator owns it.</summary>
    public void Dispose()
    {
        PrefixCache.Dispose();
        if (_ownsModel) Model.Dispose();
        _gate.Dispose();
    }
}
