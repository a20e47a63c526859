using Lever.Core;

namespace Lever.Retrieval.Tests;

/// <summary>Vectors kept in step with the text: only changed chunks go to the model, missing vectors are filled in, and a model of another width is refused.</summary>
public sealed class VectorSyncTests
{
    private const string Guide = """
        # Guide
        ## Install
        Download the archive and unpack it into the target folder.
        ## Configure
        Edit the configuration file and set the port number.
        ## Run
        Start the server and watch the log for errors.
        """;

    [Fact]
    public async Task A_resync_after_an_edit_embeds_only_the_changed_chunks()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/guide.md", Guide);
        dir.Write("c/other.md", "# Other\nNothing to see here.");
        var embedder = new HashingEmbedder();
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        var first = await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions(), embedder);
        int chunks = index.Stats().Chunks;
        Assert.True(chunks >= 4, $"{chunks} chunks");
        Assert.Equal(chunks, first.Embedded);
        Assert.Equal(chunks, index.Stats().Vectors);

        dir.Write("c/guide.md", Guide.Replace("set the port number", "set the port number and the log level", StringComparison.Ordinal));
        int before = embedder.Texts;
        var sync = await index.SyncAsync(new IndexOptions(), embedder);
        Assert.Equal(1, sync.Updated);
        Assert.Equal(1, sync.Embedded);                  // the Configure chunk alone
        Assert.Equal(1, embedder.Texts - before);
        Assert.Equal(sync.Chunks - 1, sync.VectorsReused); // the guide's other chunks kept theirs
        Assert.Equal(chunks, index.Stats().Vectors);
        var hit = await index.SearchAsync("log level", new SearchOptions(K: 1, Mode: SearchMode.Vector), embedder);
        Assert.Equal("guide.md", hit[0].DocId);

        var again = await index.SyncAsync(new IndexOptions(), embedder);
        Assert.Equal(0, again.Embedded);
    }

    [Fact]
    public async Task An_index_built_without_vectors_gets_them_on_the_next_sync_with_an_embedder_counted_in_windows()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/guide.md", Guide);
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions());
        Assert.False(index.HasVectors);
        Assert.Equal(SearchMode.Lexical, index.ModeFor(SearchMode.Auto, hasEmbedder: true));
        var embedder = new HashingEmbedder { Windows = t => t.Contains("Install", StringComparison.Ordinal) ? 3 : 1 };
        var sync = await index.SyncAsync(new IndexOptions(), embedder);
        var stats = index.Stats();
        Assert.Equal(stats.Chunks, sync.Embedded);
        Assert.Equal(stats.Chunks, stats.Vectors);
        Assert.Equal(stats.Chunks + 2, stats.Windows);   // the Install chunk took three windows
        Assert.Equal(64, stats.EmbeddingDimensions);
        Assert.Equal(SearchMode.Hybrid, index.ModeFor(SearchMode.Auto, hasEmbedder: true));
        Assert.Equal(SearchMode.Lexical, index.ModeFor(SearchMode.Auto, hasEmbedder: false));
        Assert.Equal(SearchMode.Vector, index.ModeFor(SearchMode.Vector, hasEmbedder: false));
    }

    [Fact]
    public async Task A_model_of_another_width_is_one_user_error_naming_the_index_and_the_fix()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        dir.Write("c/guide.md", Guide);
        using var index = RetrievalIndex.Open(dir.Sub("docs"));
        await index.AddAsync(Path.Combine(dir.Root, "c"), new IndexOptions(), new HashingEmbedder(64));
        var narrow = new HashingEmbedder(32);
        var search = await Assert.ThrowsAsync<LeverUserException>(() => index.SearchAsync("port", new SearchOptions(), narrow));
        Assert.Equal("index 'docs': its vectors have 64 dimensions, the embedding model gives 32", search.Message);
        Assert.Contains("run `lever index add` again", search.Hint);
        dir.Write("c/guide.md", Guide + "\nMore text.");
        var sync = await Assert.ThrowsAsync<LeverUserException>(() => index.SyncAsync(new IndexOptions(), narrow));
        Assert.StartsWith("index 'docs': its vectors have 64 dimensions", sync.Message);
        Assert.Equal(0, index.CheckConsistency());
    }

    [Fact]
    public void Drift_is_zero_for_the_same_set_and_grows_when_the_inputs_move()
    {
        ReadOnlyMemory<float> V(params float[] v) => v;
        var a = new[] { V(1, 0, 0), V(0.9f, 0.1f, 0), V(1, 0.1f, 0) };
        var same = EmbeddingDrift.Measure(a, a);
        Assert.Equal(0, same.CentroidDistance, 9);
        Assert.Equal(same.DispersionA, same.DispersionB, 12);
        var moved = EmbeddingDrift.Measure(a, [V(0, 1, 0), V(0, 1, 0.1f)]);
        Assert.InRange(moved.CentroidDistance, 0.85, 1.0);   // nearly orthogonal centroids
        Assert.True(moved.Relative > 50, $"relative {moved.Relative}");
        var point = EmbeddingDrift.Measure([V(1, 0)], [V(0, 1)]);
        Assert.Equal((1.0, 0.0, 0.0), (point.CentroidDistance, point.DispersionA, point.DispersionB));
        Assert.Throws<ArgumentException>(() => EmbeddingDrift.Measure([V(1, 0)], [V(1, 0, 0)]));
    }
}
