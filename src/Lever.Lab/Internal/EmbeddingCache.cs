using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Internal;

/// <summary>
/// An embedding generator that remembers every vector it was asked for in one append-only file, keyed by the SHA-256
/// of the text: the lab embeds the same emails for two recipes (the semantic kNN vote and the semantic few-shot both
/// index the training emails and embed each test email as a query), and a re-run after a changed setting or a kill
/// re-embeds nothing it already has. One file per embedding model (the caller names it), so two models never mix.
/// A record is <c>sha256[32] · dimensions:int32 · windows:int32 · float32[dimensions]</c>, little-endian; a torn last
/// record (a kill mid-append) is cut off on open.
/// </summary>
internal sealed class EmbeddingCache : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private const int HeaderBytes = 32 + 4 + 4;
    private const int MaxDimensions = 65_536;

    private readonly Dictionary<string, (float[] Vector, int Windows)> _vectors = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string? _modelId;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Opens (or creates) the cache at <paramref name="path"/> in front of <paramref name="inner"/>.</summary>
    public EmbeddingCache(IEmbeddingGenerator<string, Embedding<float>> inner, string path) : base(inner)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _modelId = inner.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
        Load();
    }

    /// <summary>Vectors held (read from the file or generated in this process).</summary>
    public int Count => _vectors.Count;

    /// <summary>Texts the inner generator was asked to embed by this instance (the cache misses).</summary>
    public int Misses { get; private set; }

    /// <inheritdoc/>
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var texts = values as IList<string> ?? values.ToList();
        var keys = texts.Select(Key).ToArray();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var missing = Enumerable.Range(0, texts.Count).Where(i => !_vectors.ContainsKey(keys[i])).ToList();
            // Duplicates inside one call are embedded once.
            var firstText = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var i in missing) firstText.TryAdd(keys[i], texts[i]);
            if (firstText.Count > 0)
            {
                var unique = firstText.Keys.ToList();
                var generated = await base.GenerateAsync(unique.Select(k => firstText[k]).ToList(), options, cancellationToken).ConfigureAwait(false);
                if (generated.Count != unique.Count)
                    throw new InvalidOperationException($"the embedding generator returned {generated.Count} vectors for {unique.Count} texts");
                using (var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read))
                    for (var i = 0; i < unique.Count; i++) Append(file, unique[i], generated[i]);
                Misses += unique.Count;
            }
            var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
            foreach (var key in keys)
            {
                var (vector, windows) = _vectors[key];
                result.Add(new Embedding<float>(vector) { ModelId = _modelId, AdditionalProperties = new() { ["windows"] = windows } });
            }
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _gate.Dispose();
        // The inner generator belongs to whoever made it (a shared local model): not disposed here.
    }

    private static string Key(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private void Append(FileStream file, string key, Embedding<float> embedding)
    {
        var vector = embedding.Vector.ToArray();
        var windows = embedding.AdditionalProperties?.TryGetValue("windows", out var w) == true && w is int n && n > 0 ? n : 1;
        Span<byte> header = stackalloc byte[HeaderBytes];
        Convert.FromHexString(key).CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], vector.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[36..], windows);
        file.Write(header);
        file.Write(MemoryMarshal.AsBytes(vector.AsSpan()));
        _vectors[key] = (vector, windows);
    }

    private void Load()
    {
        using var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var header = new byte[HeaderBytes];
        long good = 0;
        while (true)
        {
            if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes) break;
            var dims = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(32));
            var windows = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(36));
            if (dims is <= 0 or > MaxDimensions || windows <= 0) break;
            var vector = new float[dims];
            var bytes = MemoryMarshal.AsBytes(vector.AsSpan());
            if (file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length) break;
            _vectors[Convert.ToHexString(header, 0, 32)] = (vector, windows);
            good = file.Position;
        }
        // A torn or corrupt tail: cut it off, keep everything before it.
        if (good < file.Length) file.SetLength(good);
    }
}
