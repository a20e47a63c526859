// A GGUF model loaded into llama.cpp (through LLamaSharp) with one context: tokenization, generation with the KV cache
// reused across calls for the shared prefix of consecutive prompts, continuation scoring and raw logits. The file is
// checked by GgufValidator first, so a bad file is a user error before native code reads it. One call at a time.
using System.Diagnostics;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Lever.Core;
using Lever.Core.Constraints;
using Lever.Providers.LlamaCpp.Gguf;
using Lever.Providers.LlamaCpp.Internal;

namespace Lever.Providers.LlamaCpp;

/// <summary>A GGUF model running in llama.cpp on the CPU; thread-safe (calls are serialized), disposable.</summary>
public sealed class LlamaCppModel : IDisposable
{
    private const int MaxContext = 4096;
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly Lock _gate = new();
    private readonly List<int> _cached = [];   // tokens whose keys/values sit in the KV cache, positions 0..n-1
    private readonly int _batchSize;
    private LlamaCppAdapter? _active;   // the LoRA adapter the context runs with now (null: the base alone)
    private bool _disposed;
    private (TokenVocabulary Vocabulary, int[] EndTokens)? _constraint;

    private LlamaCppModel(string path, GgufFile gguf, LLamaWeights weights, LLamaContext context, int threads, int batchSize)
    {
        Path = path;
        Gguf = gguf;
        _weights = weights;
        _context = context;
        Threads = threads;
        _batchSize = batchSize;
        ModelId = System.IO.Path.GetFileNameWithoutExtension(path);
    }

    /// <summary>
    /// Validates and loads <paramref name="path"/> (a .gguf file) with <paramref name="threads"/> threads (default: one
    /// per core of this machine) and a context of the model's trained length, at most 4096 tokens.
    /// </summary>
    public static LlamaCppModel Load(string path, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var gguf = GgufValidator.ValidateFile(path);
        LlamaNative.EnsureLoaded();
        var trained = gguf.Metadata.GetValueOrDefault($"{gguf.Architecture}.context_length") switch { uint u => (int)Math.Min(u, int.MaxValue), ulong l => (int)Math.Min(l, int.MaxValue), _ => MaxContext };
        var n = Math.Clamp(trained, 16, MaxContext);
        var t = Math.Max(1, threads ?? Environment.ProcessorCount);
        var batch = Math.Min(512, n);
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)n,
            GpuLayerCount = 0,
            Threads = t,
            BatchThreads = t,
            BatchSize = (uint)batch,
            UBatchSize = (uint)batch,
        };
        LLamaWeights weights;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (Exception e) when (e is LLama.Exceptions.LoadWeightsFailedException or LLama.Exceptions.RuntimeError)
        {
            var native = LlamaNative.TakeErrors();
            throw new LeverUserException($"{path}: llama.cpp could not load this {gguf.Architecture} model{(native.Length > 0 ? ": " + native : "")}",
                "check that the file is complete and made for llama.cpp; `lever model export-gguf` writes one from a checkpoint folder", e);
        }
        try
        {
            return new LlamaCppModel(path, gguf, weights, weights.CreateContext(parameters), t, batch);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>The .gguf file.</summary>
    public string Path { get; }

    /// <summary>The model's name in responses (the file name without .gguf).</summary>
    public string ModelId { get; }

    /// <summary>What the validator read from the file (metadata, tensor table).</summary>
    public GgufFile Gguf { get; }

    internal LLamaWeights Weights => _weights;

    /// <summary>Threads llama.cpp decodes with.</summary>
    public int Threads { get; }

    /// <summary>Tokens the context holds (prompt + output).</summary>
    public int ContextSize => (int)_context.ContextSize;

    /// <summary>Tokens in the vocabulary (rows of the logits).</summary>
    public int VocabularySize => _weights.Vocab.Count;

    /// <summary>
    /// Token ids of <paramref name="text"/>; <paramref name="addSpecial"/> adds BOS (or what the vocabulary asks for), and
    /// special-token texts such as &lt;|im_end|&gt; become their ids.
    /// </summary>
    public IReadOnlyList<int> Tokenize(string text, bool addSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _context.Tokenize(text, addSpecial, special: true).Select(t => (int)t).ToArray();
        }
    }

    /// <summary>The text of <paramref name="ids"/> (special tokens rendered as nothing).</summary>
    public string Detokenize(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            var decoder = Encoding.UTF8.GetDecoder();
            var sb = new StringBuilder();
            foreach (var id in ids) sb.Append(Piece(decoder, id));
            sb.Append(Flush(decoder));
            return sb.ToString();
        }
    }

    /// <summary>True when <paramref name="id"/> ends generation (EOS, EOT, &lt;|im_end|&gt; …).</summary>
    public bool IsEndOfGeneration(int id) => ((LLamaToken)id).IsEndOfGeneration(_weights.Vocab);

    /// <summary>True when <paramref name="id"/> is a control token.</summary>
    public bool IsControl(int id) => ((LLamaToken)id).IsControl(_weights.Vocab);

    /// <summary>The next-token logits after <paramref name="prompt"/>.</summary>
    public float[] Logits(IReadOnlyList<int> prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Count == 0) throw new LeverUserException("the prompt has no tokens", "give a non-empty prompt");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Use(null);
            CheckFits(prompt.Count + 1);
            Prefill(prompt, needFrom: prompt.Count - 1, onLogits: null);
            return _context.NativeHandle.GetLogitsIth(_lastLogitIndex).ToArray();
        }
    }

    /// <summary>Sum of log p(continuation | prompt) and whether every continuation token was the argmax.</summary>
    public (double LogProbability, bool Greedy) Score(IReadOnlyList<int> prompt, IReadOnlyList<int> continuation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(continuation);
        if (prompt.Count == 0) throw new LeverUserException("a scored prompt has no tokens", "give a non-empty prompt");
        if (continuation.Count == 0) return (0, true);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            Use(null);
            CheckFits(prompt.Count + continuation.Count);
            var sequence = prompt.Concat(continuation).ToArray();
            double sum = 0;
            var greedy = true;
            // Token t of the continuation is predicted by the logits at position prompt.Count - 1 + t.
            Prefill(sequence, needFrom: prompt.Count - 1, onLogits: (position, logits) =>
            {
                var t = position - (prompt.Count - 1);
                if (t >= continuation.Count) return;
                var target = continuation[t];
                var (logSumExp, argmax) = LogSumExp(logits);
                sum += logits[target] - logSumExp;
                if (argmax != target) greedy = false;
            });
            return (sum, greedy);
        }
    }

    /// <summary>
    /// Continues <paramref name="prompt"/>; <paramref name="onText"/> receives the text as it is decided (held back
    /// while it could still be the start of a stop sequence); with <paramref name="adapter"/> (loaded by <see cref="LoadAdapter"/>) applied.
    /// </summary>
    public LlamaCppGeneration Generate(IReadOnlyList<int> prompt, LlamaCppSampling sampling, Action<string>? onText = null, CancellationToken cancellationToken = default,
        LlamaCppAdapter? adapter = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(sampling);
        if (prompt.Count == 0) throw new LeverUserException("the prompt has no tokens", "give a non-empty prompt");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var clock = Stopwatch.StartNew();
            Use(adapter);
            CheckFits(prompt.Count + 1);
            var cached = Prefill(prompt, needFrom: prompt.Count - 1, onLogits: null);
            var sampler = new LlamaSampler(sampling, Mask(sampling));
            var history = new List<int>(prompt);
            var output = new List<int>();
            var text = new StringBuilder();
            var emitted = 0;
            var decoder = Encoding.UTF8.GetDecoder();
            var holdBack = sampling.StopSequences.Count == 0 ? 0 : sampling.StopSequences.Max(s => s.Length);
            var finish = "length";
            TimeSpan firstToken = default;
            while (output.Count < sampling.MaxTokens && _cached.Count < ContextSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var next = sampler.Next(_context.NativeHandle.GetLogitsIth(_lastLogitIndex), history);
                if (output.Count == 0) firstToken = clock.Elapsed;
                output.Add(next);
                history.Add(next);
                if (sampling.StopAtEndOfGeneration && IsEndOfGeneration(next))
                {
                    finish = "stop";
                    break;
                }
                text.Append(Piece(decoder, next));
                var stopAt = StopIndex(text, sampling.StopSequences, Math.Max(0, emitted - holdBack));
                if (stopAt >= 0 || sampler.Complete)
                {
                    if (stopAt >= 0) text.Length = stopAt;
                    else text.Append(Flush(decoder));
                    finish = "stop";
                    break;
                }
                var safe = text.Length - holdBack;
                if (onText is not null && safe > emitted)
                {
                    onText(text.ToString(emitted, safe - emitted));
                    emitted = safe;
                }
                if (output.Count >= sampling.MaxTokens || _cached.Count >= ContextSize) break;
                DecodeOne(next);
            }
            if (finish == "length") text.Append(Flush(decoder));
            if (onText is not null && text.Length > emitted) onText(text.ToString(emitted, text.Length - emitted));
            return new LlamaCppGeneration(output, text.ToString(), prompt.Count, cached, output.Count, finish, firstToken, clock.Elapsed);
        }
    }

    private int _lastLogitIndex;

    /// <summary>The JSON mask for <paramref name="sampling"/>'s response format (null without one); the vocabulary's bytes are read once per model.</summary>
    private JsonTokenMask? Mask(LlamaCppSampling sampling)
    {
        if (sampling.ResponseFormat is not { } format) return null;
        _constraint ??= ConstraintVocabulary();
        var (vocabulary, endTokens) = _constraint.Value;
        return new JsonTokenMask(format, vocabulary, sampling.StopAtEndOfGeneration ? endTokens : [], Math.Min(sampling.MaxTokens, ContextSize - _cached.Count));
    }

    /// <summary>Every token's bytes (control and end-of-generation tokens have none) and the end-of-generation ids.</summary>
    private (TokenVocabulary, int[]) ConstraintVocabulary()
    {
        var bytes = new byte[]?[VocabularySize];
        var ends = new List<int>();
        var buffer = new byte[256];
        for (var id = 0; id < bytes.Length; id++)
        {
            if (IsEndOfGeneration(id)) ends.Add(id);
            if (IsControl(id) || IsEndOfGeneration(id)) continue;
            var n = (int)_context.NativeHandle.TokenToSpan(id, buffer);
            bytes[id] = n <= buffer.Length ? buffer[..n] : null;
        }
        return (new TokenVocabulary(bytes), [.. ends]);
    }

    /// <summary>
    /// Loads the GGUF LoRA adapter at <paramref name="path"/> (validated first) for requests named <paramref name="name"/>;
    /// llama.cpp refuses one made for another base shape, a user error naming the file.
    /// </summary>
    public LlamaCppAdapter LoadAdapter(string path, string name)
    {
        ArgumentNullException.ThrowIfNull(path);
        var gguf = GgufValidator.ValidateFile(path);
        if (gguf.Metadata.GetValueOrDefault("general.type") as string != "adapter")
            throw new LeverUserException($"{path}: not a GGUF LoRA adapter (general.type is not 'adapter')", "write one with `lever adapter export-gguf --model BASE --adapter DIR -o FILE.gguf`");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            LoraAdapter native;
            try
            {
                native = _weights.NativeHandle.LoadLoraFromFile(path);
            }
            catch (Exception e) when (e is LLama.Exceptions.RuntimeError or InvalidOperationException)
            {
                throw new LeverUserException($"{path}: llama.cpp could not load this adapter for {ModelId}: {LlamaNative.TakeErrors()}".TrimEnd(),
                    "export the adapter against the same base checkpoint the served GGUF came from", e);
            }
            return new LlamaCppAdapter(name, path, native, new FileInfo(path).Length);
        }
    }

    /// <summary>Frees <paramref name="adapter"/>'s tensors; a later call that names it is refused.</summary>
    public void UnloadAdapter(LlamaCppAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        lock (_gate)
        {
            if (adapter.Unloaded || _disposed) return;
            if (_active == adapter) Use(null);
            adapter.Native.Unload();
            adapter.Unloaded = true;
        }
    }

    // Under the gate: the context runs with adapter (or the base alone). The cached keys/values were computed with the
    // previous weights, so a switch empties the KV cache: prefix reuse holds between calls of the same adapter only.
    private void Use(LlamaCppAdapter? adapter)
    {
        if (adapter == _active) return;
        if (adapter is { Unloaded: true }) throw new ObjectDisposedException($"LoRA adapter {adapter.Name}");
        if (adapter is null) _context.NativeHandle.SetLoraAdapters([]);
        else _context.NativeHandle.SetLoraAdapters([(adapter.Native, 1f)]);
        _active = adapter;
        _context.NativeHandle.MemoryClear(true);
        _cached.Clear();
    }

    private void CheckFits(int tokens)
    {
        if (tokens > ContextSize)
            throw new LeverUserException($"{Path}: {tokens} tokens do not fit the context of {ContextSize}", "shorten the prompt");
    }

    /// <summary>
    /// Brings the KV cache to exactly <paramref name="tokens"/>: keeps the longest prefix already cached (at most all but
    /// the last of the positions whose logits are needed), decodes the rest in batches, and hands the logits of every
    /// position from <paramref name="needFrom"/> on to <paramref name="onLogits"/>. Returns how many tokens were reused.
    /// </summary>
    private int Prefill(IReadOnlyList<int> tokens, int needFrom, Action<int, ReadOnlySpan<float>>? onLogits)
    {
        var common = 0;
        var limit = Math.Min(Math.Min(_cached.Count, tokens.Count), needFrom);
        while (common < limit && _cached[common] == tokens[common]) common++;
        if (common < _cached.Count)
        {
            _context.NativeHandle.MemorySequenceRemove(LLamaSeqId.Zero, common, -1);
            _cached.RemoveRange(common, _cached.Count - common);
        }
        var batch = new LLamaBatch();
        for (var start = common; start < tokens.Count; start += _batchSize)
        {
            batch.Clear();
            var end = Math.Min(tokens.Count, start + _batchSize);
            for (var p = start; p < end; p++) batch.Add(tokens[p], p, LLamaSeqId.Zero, p >= needFrom);
            Decode(batch);
            for (var p = start; p < end; p++) _cached.Add(tokens[p]);
            if (onLogits is not null)
                for (var p = Math.Max(start, needFrom); p < end; p++) onLogits(p, _context.NativeHandle.GetLogitsIth(p - start));
            _lastLogitIndex = end - 1 - start;
        }
        return common;
    }

    private void DecodeOne(int token)
    {
        var batch = new LLamaBatch();
        batch.Add(token, _cached.Count, LLamaSeqId.Zero, true);
        Decode(batch);
        _cached.Add(token);
        _lastLogitIndex = 0;
    }

    private void Decode(LLamaBatch batch)
    {
        var result = _context.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            _context.NativeHandle.MemoryClear(true);
            _cached.Clear();
            throw new InvalidOperationException($"{Path}: llama_decode returned {result} {LlamaNative.TakeErrors()}".TrimEnd());
        }
    }

    private string Piece(Decoder decoder, int id)
    {
        Span<byte> buffer = stackalloc byte[256];
        var n = (int)_context.NativeHandle.TokenToSpan(id, buffer);
        if (n > buffer.Length)
        {
            var big = new byte[n];
            n = (int)_context.NativeHandle.TokenToSpan(id, big);
            return Chars(decoder, big.AsSpan(0, n), flush: false);
        }
        return Chars(decoder, buffer[..n], flush: false);
    }

    private static string Flush(Decoder decoder) => Chars(decoder, [], flush: true);

    private static string Chars(Decoder decoder, ReadOnlySpan<byte> bytes, bool flush)
    {
        Span<char> chars = stackalloc char[bytes.Length + 8];
        var count = decoder.GetChars(bytes, chars, flush);
        return new string(chars[..count]);
    }

    private static int StopIndex(StringBuilder text, IReadOnlyList<string> stops, int from)
    {
        if (stops.Count == 0) return -1;
        var s = text.ToString();
        var best = -1;
        foreach (var stop in stops)
        {
            if (stop.Length == 0) continue;
            var i = s.IndexOf(stop, Math.Min(from, s.Length), StringComparison.Ordinal);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    internal static (double LogSumExp, int Argmax) LogSumExp(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        var argmax = 0;
        for (var i = 0; i < logits.Length; i++)
            if (logits[i] > max) { max = logits[i]; argmax = i; }
        double sum = 0;
        for (var i = 0; i < logits.Length; i++) sum += Math.Exp(logits[i] - max);
        return (max + Math.Log(sum), argmax);
    }

    /// <summary>Frees the context and the weights.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _context.Dispose();
            _weights.Dispose();
        }
    }
}
