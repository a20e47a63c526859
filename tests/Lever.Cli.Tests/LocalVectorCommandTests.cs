using System.Text.Json;
using Lever.Server;

namespace Lever.Cli.Tests;

/// <summary>
/// <c>lever index add</c> embeds with the local all-MiniLM-L6-v2 by default (hybrid search), re-embeds only what an edit
/// changed, and refuses a model of another width — the real model on a tiny corpus, as child processes.
/// </summary>
public sealed class LocalVectorCommandTests : IDisposable
{
    private const string Guide = """
        # Server guide
        ## Timeouts
        statement_timeout aborts any statement that takes more than the specified amount of time.
        ## Memory
        work_mem sets the memory used by sort operations and hash tables before writing to temporary files.
        ## Logging
        log_destination chooses where server messages are written: stderr, csvlog or syslog.
        """;

    private readonly TempWorkspace _tmp = new("lever-vectors-cli-");

    public void Dispose() => _tmp.Dispose();

    private JsonElement Json(params string[] args)
    {
        var r = LeverProcess.Run(_tmp.Root, args);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void Index_add_embeds_by_default_search_is_hybrid_and_a_resync_re_embeds_only_the_changed_chunk()
    {
        _tmp.Write("corpus/guide.md", Guide);
        _tmp.Write("corpus/pets.md", "# Pets\nCats sleep most of the day and dogs like long walks.");
        var add = LeverProcess.Run(_tmp.Root, "index", "add", "corpus");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        var stats = Json("index", "stats", "--json");
        int chunks = stats.GetProperty("chunks").GetInt32();
        Assert.True(chunks >= 4, $"{chunks} chunks");
        Assert.Equal(chunks, stats.GetProperty("vectors").GetInt32());
        Assert.Equal(chunks, stats.GetProperty("windows").GetInt32()); // every chunk fits one 256-piece window
        Assert.Equal("all-MiniLM-L6-v2", stats.GetProperty("embedding_model").GetString());
        Assert.Equal(384, stats.GetProperty("dimensions").GetInt32());
        Assert.Contains($"vectors: {chunks} chunks embedded, 0 unchanged chunks kept theirs", add.Stdout);

        // No word of the query is in the answer's chunk: vector search finds it by meaning.
        var vector = Json("search", "How do I stop queries that run too long?", "--mode", "vector", "--all-chunks", "--json");
        Assert.Equal("vector", vector.GetProperty("mode").GetString());
        Assert.Equal("Server guide > Timeouts", vector.GetProperty("results")[0].GetProperty("heading").GetString());
        var hybrid = Json("search", "memory for sorting", "--json");
        Assert.Equal("hybrid", hybrid.GetProperty("mode").GetString());
        Assert.Equal("guide.md", hybrid.GetProperty("results")[0].GetProperty("doc").GetString());
        Assert.Equal("bm25", Json("search", "memory", "--mode", "bm25", "--json").GetProperty("mode").GetString());

        _tmp.Write("corpus/guide.md", Guide.Replace("hash tables", "hash tables and merge joins", StringComparison.Ordinal));
        var sync = LeverProcess.Run(_tmp.Root, "index", "sync");
        Assert.True(sync.ExitCode == 0, sync.Stdout + sync.Stderr);
        Assert.Contains("1 updated", sync.Stdout);
        int guideChunks = chunks - 1; // pets.md is one chunk
        Assert.Contains($"vectors: 1 chunks embedded, {guideChunks - 1} unchanged chunks kept theirs", sync.Stdout);
    }

    [Fact]
    public async Task No_vectors_is_bm25_only_and_a_model_of_another_width_is_one_error_naming_the_index()
    {
        _tmp.Write("corpus/guide.md", Guide);
        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors", "--name", "lexical").ExitCode);
        Assert.Equal(0, Json("index", "stats", "--name", "lexical", "--json").GetProperty("vectors").GetInt32());
        Assert.Equal("bm25", Json("search", "memory", "--name", "lexical", "--json").GetProperty("mode").GetString());
        var vector = LeverProcess.Run(_tmp.Root, "search", "memory", "--name", "lexical", "--mode", "vector");
        Assert.Equal(2, vector.ExitCode);
        Assert.Contains("index 'lexical': vector search needs vectors: it was built without vectors", vector.Stderr);

        Assert.Equal(0, LeverProcess.Run(_tmp.Root, "index", "add", "corpus").ExitCode);
        // Now lever.yaml points the index at a 32-dimensional provider: the 384-dimensional vectors do not fit it.
        var words = new WordHashEmbedder(32, t => WordHashEmbedder.Split(t, ' ', '\n'));
        await using var server = OpenAiServer.Create(new ScriptedChatClient(_ => "x"), words, new ServerOptions { Port = 0 });
        await server.StartAsync();
        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: m\n    embedding_model: words\nindexes:\n  default:\n    embedding: srv\n");
        var mismatch = LeverProcess.Run(_tmp.Root, "search", "memory");
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains("index 'default': its vectors have 384 dimensions (all-MiniLM-L6-v2), the embedding model words gives 32", mismatch.Stderr);
        Assert.Contains("run `lever index add` again", mismatch.Stderr);
    }
}
