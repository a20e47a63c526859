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

/// <summary>
/// Generates text with a local model and its tokenizer. One model, one computation at a time: calls are serialised, or,
/// with <see cref="MaxBatchSize"/> above 1, concurrent <see cref="Generate(IReadOnlyList{int}, GenerationOptions, Action{GeneratedToken}?, CancellationToken)"/>
/// calls that wait are decoded together as one batch (each row with its own options and LoRA adapter).
/// </summary>
public sealed class TextGenerator : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private readonly List<GenerationJob> _queue = [];
    private readonly HashSet<int> _eos;
    private readonly bool _ownsModel;
    private readonly bool _useDecodeWeights;
    private DecodeWeights? _decodeWeights;
    private nn.Module[] _decodeWeightsSource = [];

    /// <summary>
    /// Wraps a loaded model and tokenizer; <paramref name="prefixCache"/> defaults to a 256 MB cache. The model is
    /// disposed with the generator only when <paramref name="ownsModel"/>. With <paramref name="useDecodeWeights"/>
    /// (the default), generation runs on a <see cref="DecodeWeights"/> snapshot (one more copy of the weights, faster
    /// decoding); call <see cref="RefreshWeights"/> after changing the model's weights in place.
    /// </summary>
    public TextGenerator(LlamaForCausalLM model, ModelTokenizer tokenizer, PrefixCache? prefixCache = null, bool ownsModel = false, bool useDecodeWeights = true)
    {
        _ownsModel = ownsModel;
        _useDecodeWeights = useDecodeWeights;
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

    /// <summary>
    /// Most concurrent generations decoded as one batch (one forward of the base per step for all rows, each row's
    /// adapter delta added to its own rows). 1, the default, runs calls one at a time. A batch is formed from the calls
    /// waiting when the model becomes free; a call arriving during a batch waits for it to finish. A call that is alone
    /// runs as before (with the prefix cache); batched rows do not use the prefix cache.
    /// </summary>
    public int MaxBatchSize { get; set; } = 1;

    /// <summary>
    /// Drops the <see cref="DecodeWeights"/> snapshot (and the prefix cache, computed with the old weights) so the next
    /// call sees the model's current weights. Needed after in-place updates (training); replaced modules (LoRA,
    /// quantization) are noticed without it.
    /// </summary>
    public void RefreshWeights()
    {
        _gate.Wait();
        try
        {
            _decodeWeights?.Dispose();
            _decodeWeights = null;
            _decodeWeightsSource = [];
            PrefixCache.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The snapshot for this call: rebuilt when a projection module was replaced since it was taken.</summary>
    private DecodeWeights? CurrentDecodeWeights()
    {
        if (!_useDecodeWeights) return null;
        var source = DecodeWeightSources().ToArray();
        if (_decodeWeights is not null && source.SequenceEqual(_decodeWeightsSource, ReferenceEqualityComparer.Instance)) return _decodeWeights;
        _decodeWeights?.Dispose();
        _decodeWeights = DecodeWeights.TryBuild(Model);
        _decodeWeightsSource = source;
        return _decodeWeights;
    }

    private IEnumerable<nn.Module> DecodeWeightSources() => Model.Projections().Select(p => p.Get()).Append(Model.LmHead);

    /// <summary>Generates a continuation of <paramref name="prompt"/> (BOS added as the tokenizer says).</summary>
    public GenerationResult Generate(string prompt, GenerationOptions options, CancellationToken cancellationToken = default) =>
        Generate(Tokenizer.Encode(prompt), options, null, cancellationToken);

    /// <summary>Generates a continuation of <paramref name="promptIds"/>; <paramref name="onToken"/> sees every step.</summary>
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options, Action<GeneratedToken>? onToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (MaxBatchSize <= 1)
        {
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
        return Batched(new GenerationJob(promptIds, options, onToken, cancellationToken));
    }

    /// <summary>
    /// Queues <paramref name="job"/>; whoever holds the model runs the waiting jobs as batches until this one is done
    /// (so no worker thread is needed: the caller that gets the model next is the one computing).
    /// </summary>
    private GenerationResult Batched(GenerationJob job)
    {
        lock (_queueLock) _queue.Add(job);
        try
        {
            _gate.Wait(job.Cancellation);
        }
        catch (OperationCanceledException)
        {
            lock (_queueLock)
            {
                if (_queue.Remove(job)) throw;
            }
            job.Finished.Wait(CancellationToken.None);   // in a running batch: it notices the cancellation at its next step
            return job.Outcome();
        }
        try
        {
            while (!job.Finished.IsSet)
            {
                List<GenerationJob> batch;
                lock (_queueLock)
                {
                    batch = _queue.Take(Math.Max(1, MaxBatchSize)).ToList();
                    _queue.RemoveRange(0, batch.Count);
                }
                if (batch.Count == 0) break;
                if (batch.Count == 1)
                {
                    var single = batch[0];
                    try
                    {
                        single.Complete(Run(single.Prompt, single.Options, single.OnToken, single.Cancellation));
                    }
                    catch (Exception ex)
                    {
                        single.Fail(ex);
                    }
                }
                else RunJobs(batch);
            }
        }
        finally
        {
            _gate.Release();
        }
        return job.Outcome();
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

    /// <summary>The prompt to run (BOS for an empty one) and how many tokens fit after it; a user error for a prompt that cannot run.</summary>
    private (IReadOnlyList<int> Prompt, int MaxTokens) Checked(IReadOnlyList<int> promptIds, GenerationOptions options)
    {
        var prompt = promptIds.Count > 0 ? promptIds : Tokenizer.BosId is { } bos ? [bos]
            : throw new LeverUserException("the prompt is empty and the tokenizer has no BOS token to start from", "give a non-empty prompt");
        var config = Model.Config;
        if (prompt.Any(id => id < 0 || id >= config.VocabSize))
            throw new LeverUserException($"prompt has a token id outside the vocabulary (0..{config.VocabSize - 1})", "the tokenizer does not match the model");
        var room = config.MaxPositionEmbeddings - prompt.Count;
        if (room <= 0)
            throw new LeverUserException($"the prompt has {prompt.Count} tokens; the model's context is {config.MaxPositionEmbeddings}", "shorten the prompt");
        return (prompt, Math.Min(options.MaxTokens, room));
    }

    private GenerationResult Run(IReadOnlyList<int> promptIds, GenerationOptions options, Action<GeneratedToken>? onToken, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var (prompt, maxTokens) = Checked(promptIds, options);
        var config = Model.Config;

        using var noGrad = no_grad();
        var weights = CurrentDecodeWeights();
        if (options.Adapter is not null && weights is null)
            throw new LeverUserException("an unmerged LoRA adapter needs a dense base model (this one is quantized or adapted)", "serve adapters on a float32 checkpoint");
        using var adapters = RowAdapters.All(options.Adapter);
        var cache = options.UsePrefixCache ? PrefixCache.Acquire(prompt, maxTokens + 1, options.Adapter) : null;
        var cached = cache?.Length ?? 0;
        cache ??= new KvCache(config, 1, prompt.Count + maxTokens + 1);
        try
        {
            var stopIds = new HashSet<int>(_eos.Concat(options.StopTokenIds));
            var sampler = new Sampler(options, Tokenizer, stopIds, maxTokens);
            var stream = new TextStream(Tokenizer, options.StopSequences);
            var seen = new List<int>(prompt);
            var generated = new List<int>();
            var ttft = TimeSpan.Zero;
            var finish = "length";

            Tensor Step(IReadOnlyList<int> ids)
            {
                var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]);
                return Model.Forward(input, null, cache, lastTokenOnly: true, weights, adapters)[0, 0];   // (V)
            }

            using (var scope = NewDisposeScope())
            {
                var logits = Step(prompt.Skip(cached).ToList());
                if (options.UsePrefixCache) PrefixCache.Store(prompt, cache, options.Adapter);
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
                    if (stream.Stopped || sampler.Complete)
                    {
                        finish = "stop";
                        onToken?.Invoke(new GeneratedToken(next, delta + stream.Flush(), finish, cached));
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
    /// Runs queued jobs as one batch: left padding and a mask as in <see cref="GenerateBatch"/>, but every row has its
    /// own options (sampler, stops, token budget), its own adapter and its own token callback, and stops or is
    /// cancelled on its own. Each job is completed or failed; nothing is thrown.
    /// </summary>
    private void RunJobs(List<GenerationJob> all)
    {
        var watch = Stopwatch.StartNew();
        var jobs = new List<GenerationJob>();
        var prompts = new List<IReadOnlyList<int>>();
        var budgets = new List<int>();
        foreach (var job in all)
        {
            try
            {
                var (prompt, maxTokens) = Checked(job.Prompt, job.Options);
                jobs.Add(job);
                prompts.Add(prompt);
                budgets.Add(maxTokens);
            }
            catch (Exception ex)
            {
                job.Fail(ex);
            }
        }
        if (jobs.Count == 0) return;
        try
        {
            RunRows(jobs, prompts, budgets, watch);
        }
        catch (Exception ex)
        {
            foreach (var job in jobs.Where(j => !j.Finished.IsSet)) job.Fail(ex);
        }
    }

    private void RunRows(List<GenerationJob> jobs, List<IReadOnlyList<int>> prompts, List<int> budgets, Stopwatch watch)
    {
        var b = jobs.Count;
        var config = Model.Config;
        var width = prompts.Max(p => p.Count);
        var steps = budgets.Max();
        var pad = Tokenizer.PadId ?? 0;
        var (ids, mask) = LeftPadded(prompts, width, pad);

        using var noGrad = no_grad();
        var weights = CurrentDecodeWeights();
        if (weights is null && jobs.Any(j => j.Options.Adapter is not null))
            throw new LeverUserException("an unmerged LoRA adapter needs a dense base model (this one is quantized or adapted)", "serve adapters on a float32 checkpoint");
        using var adapters = RowAdapters.PerRow(jobs.Select(j => j.Options.Adapter).ToList());
        using var cache = new KvCache(config, b, width + steps + 1);
        var stopIds = jobs.Select(j => new HashSet<int>(_eos.Concat(j.Options.StopTokenIds))).ToList();
        var samplers = jobs.Select((j, r) => new Sampler(j.Options, Tokenizer, stopIds[r], budgets[r])).ToList();
        var streams = jobs.Select(j => new TextStream(Tokenizer, j.Options.StopSequences)).ToList();
        var seen = prompts.Select(p => new List<int>(p)).ToList();
        var generated = Enumerable.Range(0, b).Select(_ => new List<int>()).ToList();
        var ttft = new TimeSpan[b];
        var done = new bool[b];
        void Finish(int r, string reason)
        {
            done[r] = true;
            if (!streams[r].Stopped) streams[r].Flush();
            jobs[r].Complete(new GenerationResult(streams[r].Text, generated[r], reason, prompts[r].Count, 0, ttft[r], watch.Elapsed));
        }
        for (var r = 0; r < b; r++)
            if (budgets[r] == 0) Finish(r, "length");

        using var scope = NewDisposeScope();
        var maskTensor = tensor(mask, [b, width]);
        var logits = Model.Forward(tensor(ids, [b, width]), maskTensor, cache, lastTokenOnly: true, weights, adapters);   // (B, 1, V)
        for (var step = 0; step < steps && done.Contains(false); step++)
        {
            var next = new long[b];
            for (var r = 0; r < b; r++)
            {
                next[r] = pad;
                if (done[r]) continue;
                var job = jobs[r];
                if (job.Cancellation.IsCancellationRequested)
                {
                    done[r] = true;
                    job.Fail(new OperationCanceledException(job.Cancellation));
                    continue;
                }
                var token = samplers[r].Next(logits[r, 0], seen[r]);
                if (step == 0) ttft[r] = watch.Elapsed;
                next[r] = token;
                generated[r].Add(token);
                seen[r].Add(token);
                if (stopIds[r].Contains(token))
                {
                    job.OnToken?.Invoke(new GeneratedToken(token, streams[r].Flush(), "stop", 0));
                    Finish(r, "stop");
                    continue;
                }
                var delta = streams[r].Push(token);
                if (streams[r].Stopped || samplers[r].Complete)
                {
                    job.OnToken?.Invoke(new GeneratedToken(token, delta + streams[r].Flush(), "stop", 0));
                    Finish(r, "stop");
                }
                else if (generated[r].Count == budgets[r])
                {
                    job.OnToken?.Invoke(new GeneratedToken(token, delta + streams[r].Flush(), "length", 0));
                    Finish(r, "length");
                }
                else job.OnToken?.Invoke(new GeneratedToken(token, delta, null, 0));
            }
            if (!done.Contains(false)) break;
            // Every row takes one more position; finished rows feed padding that nobody reads.
            using var stepScope = NewDisposeScope();
            maskTensor = cat([maskTensor, ones(b, 1, ScalarType.Int64)], 1).MoveToOuterDisposeScope();
            logits = Model.Forward(tensor(next, [b, 1]), maskTensor, cache, lastTokenOnly: true, weights, adapters).MoveToOuterDisposeScope();
        }
        for (var r = 0; r < b; r++)
            if (!done[r]) Finish(r, "length");
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
        var (ids, mask) = LeftPadded(prompts, width, pad);

        using var noGrad = no_grad();
        var weights = CurrentDecodeWeights();
        if (options.Adapter is not null && weights is null)
            throw new LeverUserException("an unmerged LoRA adapter needs a dense base model (this one is quantized or adapted)", "serve adapters on a float32 checkpoint");
        using var adapters = RowAdapters.All(options.Adapter);
        using var cache = new KvCache(config, b, width + maxTokens + 1);
        var stopIds = new HashSet<int>(_eos.Concat(options.StopTokenIds));
        var samplers = Enumerable.Range(0, b).Select(r => new Sampler(options with { Seed = options.Seed + r }, Tokenizer, stopIds, maxTokens)).ToList();
        var streams = Enumerable.Range(0, b).Select(_ => new TextStream(Tokenizer, options.StopSequences)).ToList();
        var seen = prompts.Select(p => new List<int>(p)).ToList();
        var generated = Enumerable.Range(0, b).Select(_ => new List<int>()).ToList();
        var finish = Enumerable.Repeat("length", b).ToArray();
        var done = new bool[b];
        var ttft = TimeSpan.Zero;

        using var scope = NewDisposeScope();
        var maskTensor = tensor(mask, [b, width]);
        var logits = Model.Forward(tensor(ids, [b, width]), maskTensor, cache, lastTokenOnly: true, weights, adapters);   // (B, 1, V)
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
                if (streams[r].Stopped || samplers[r].Complete) { done[r] = true; finish[r] = "stop"; }
            }
            if (step == 0) ttft = watch.Elapsed;
            if (step == maxTokens - 1 || !done.Contains(false)) break;
            // 2) every row takes one more position; finished rows feed padding that nobody reads.
            using var stepScope = NewDisposeScope();
            maskTensor = cat([maskTensor, ones(b, 1, ScalarType.Int64)], 1).MoveToOuterDisposeScope();
            logits = Model.Forward(tensor(next, [b, 1]), maskTensor, cache, lastTokenOnly: true, weights, adapters).MoveToOuterDisposeScope();
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
        _decodeWeights?.Dispose();
        if (_ownsModel) Model.Dispose();
        _gate.Dispose();
    }

    /// <summary>The prompts left-padded to <paramref name="width"/> with <paramref name="pad"/>, row-major, and their mask (1 = a real token).</summary>
    private static (long[] Ids, long[] Mask) LeftPadded(IReadOnlyList<IReadOnlyList<int>> prompts, int width, int pad)
    {
        var ids = new long[prompts.Count * width];
        var mask = new long[prompts.Count * width];
        for (var r = 0; r < prompts.Count; r++)
        {
            var offset = width - prompts[r].Count;
            for (var j = 0; j < width; j++)
            {
                ids[r * width + j] = j < offset ? pad : prompts[r][j - offset];
                mask[r * width + j] = j < offset ? 0 : 1;
            }
        }
        return (ids, mask);
    }
}
