namespace Lever.Retrieval.Tests;

public sealed class SyncTests
{
    [Fact]
    public async Task Changing_one_document_reindexes_only_it_bumps_its_version_and_the_new_text_is_found_at_once()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        var corpus = dir.Sub("corpus");
        for (int i = 0; i < 20; i++) dir.Write($"corpus/doc{i:00}.md", $"# Doc {i}\nThis page describes widget number {i}.");
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        var first = await index.AddAsync(corpus, new IndexOptions());
        Assert.Equal(20, first.Added);
        Assert.Empty(index.Search("zeppelin"));

        dir.Write("corpus/doc07.md", "# Doc 7\nThis page now describes a zeppelin.");
        File.Delete(Path.Combine(corpus, "doc13.md"));
        dir.Write("corpus/new.md", "# New\nA brand new page about gondolas.");
        var sync = await index.SyncAsync(new IndexOptions());

        Assert.Equal((1, 1, 18, 1), (sync.Added, sync.Updated, sync.Unchanged, sync.Removed));
        Assert.Equal(["doc07.md", "new.md"], sync.ChangedIds.Order(StringComparer.Ordinal));
        var hit = Assert.Single(index.Search("zeppelin"));
        Assert.Equal(("doc07.md", 2), (hit.DocId, hit.Version));
        Assert.Equal(1, index.Search("widget number 3", new SearchOptions(K: 1)).Single().Version);
        Assert.DoesNotContain(index.Search("widget number 13"), h => h.DocId == "doc13.md");
        Assert.Equal("new.md", index.Search("gondolas").Single().DocId);
        Assert.Equal(20, index.Stats().Documents);

        var again = await index.SyncAsync(new IndexOptions());
        Assert.Equal((0, 0, 20, 0), (again.Added, again.Updated, again.Unchanged, again.Removed));
    }

    [Fact]
    public async Task A_cancelled_ingest_keeps_what_it_committed_and_the_next_run_finishes_the_job()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        var corpus = dir.Sub("corpus");
        for (int i = 0; i < 200; i++) dir.Write($"corpus/f{i:000}.txt", $"file {i} token{i}");
        using var index = RetrievalIndex.Open(dir.Sub("index"));
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.FilesDone == 150) cts.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.AddAsync(corpus, new IndexOptions(), null, progress, cts.Token));
        var partial = index.Stats();
        Assert.Equal(150, partial.Documents);
        Assert.Single(partial.Interrupted);
        Assert.Equal(0, index.CheckConsistency());

        var rest = await index.AddAsync(corpus, new IndexOptions());
        Assert.Equal((50, 150), (rest.Added, rest.Unchanged));
        Assert.Empty(index.Stats().Interrupted);
        Assert.Equal("f199.txt", index.Search("token199").Single().DocId);
    }

    private sealed class SyncProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
