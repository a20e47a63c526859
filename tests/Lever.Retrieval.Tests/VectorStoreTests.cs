using Lever.Retrieval.VectorData;
using Microsoft.Extensions.VectorData;

namespace Lever.Retrieval.Tests;

public sealed class VectorStoreTests
{
    private static RetrievalRecord Record(string key, string text, params string[] principals) =>
        new() { Key = key, Text = text, Title = key.ToUpperInvariant(), Heading = "H", Principals = [.. principals] };

    [Fact]
    public async Task Collection_upserts_gets_searches_and_deletes_through_the_VectorData_abstractions()
    {
        using var dir = new TempWorkspace("lever-retrieval-");
        var embedder = new HashingEmbedder();
        VectorStore store = new LeverVectorStore(dir.Root, embedder);
        var collection = store.GetCollection<string, RetrievalRecord>("notes");
        Assert.False(await collection.CollectionExistsAsync());
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync([Record("a", "lighthouse keepers watch the sea"), Record("b", "bakers knead bread dough"), Record("c", "the sea lighthouse payroll", "g:hr")]);
        Assert.Equal(["notes"], await store.ListCollectionNamesAsync().ToListAsync());

        var a = await collection.GetAsync("a", new RecordRetrievalOptions { IncludeVectors = true });
        Assert.Equal(("lighthouse keepers watch the sea", "A", 64), (a!.Text, a.Title, a.Vector.Length));
        Assert.Null(await collection.GetAsync("c")); // not readable by the store's (anonymous) caller

        var results = await collection.SearchAsync("lighthouse by the sea", 3).ToListAsync();
        Assert.Equal(["a", "b"], results.Select(r => r.Record.Key));
        Assert.True(results[0].Score > results[1].Score);

        var hybrid = (IKeywordHybridSearchable<RetrievalRecord>)collection;
        var h = await hybrid.HybridSearchAsync("bread", ["bakers"], 1).ToListAsync();
        Assert.Equal("b", h.Single().Record.Key);

        // Replacing a record bumps its version; the same data is a Lever index that `lever search --name notes` reads.
        await collection.UpsertAsync(Record("b", "bakers bake croissants"));
        using (var index = RetrievalIndex.Open(Path.Combine(dir.Root, "notes")))
        {
            var hit = index.Search("croissants").Single();
            Assert.Equal(("b", 2), (hit.DocId, hit.Version));
        }

        await collection.DeleteAsync("a");
        Assert.Null(await collection.GetAsync("a"));
        var hr = new LeverVectorStore(dir.Root, embedder, new Caller("x", ["hr"])).GetCollection<string, RetrievalRecord>("notes");
        Assert.Equal("c", (await hr.SearchAsync("payroll lighthouse", 1).ToListAsync()).Single().Record.Key);

        Assert.Throws<NotSupportedException>(() => store.GetCollection<int, RetrievalRecord>("x"));
        await store.EnsureCollectionDeletedAsync("notes");
        Assert.False(await store.CollectionExistsAsync("notes"));
    }
}
