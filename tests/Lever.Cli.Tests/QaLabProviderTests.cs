using System.Text.Json.Nodes;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary>
/// <c>lever lab</c> on a question-answering workspace whose lever.yaml configures a provider, served by a real
/// OpenAI-compatible server on 127.0.0.1: the hosted recipes (closed book, RAG over BM25 and hybrid) join the comparison.
/// </summary>
public sealed class QaLabProviderTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-qalab-");

    public void Dispose() => _tmp.Dispose();

    /// <summary>With numbered passages, repeats passage [1] and cites it; without any (closed book), does not know.</summary>
    private static ScriptedChatClient FirstPassageModel() => new(messages =>
    {
        var first = FirstPassage(messages);
        if (first is null) return "I do not know.";
        var text = first[(first.IndexOf('\n', StringComparison.Ordinal) + 1)..].Replace('\n', ' ');
        return $"{text} [1]";
    });

    private static string? FirstPassage(IReadOnlyList<ChatMessage> messages) =>
        ScriptedChatClient.LastUser(messages).Split("\n\n").FirstOrDefault(b => b.StartsWith("[1] ", StringComparison.Ordinal));


    /// <summary>Hashes each word into one of 64 dimensions: texts that share words get similar vectors.</summary>
    private static WordHashEmbedder WordHashEmbedder() => new(64, t => Lever.Testing.WordHashEmbedder.Split(t, ' ', '\n', '.', '?', ',')) { Hash = WordHash.Polynomial31 };


    /// <summary>Three one-fact pages of a made-up daemon's manual under docs/.</summary>
    private void WriteDocs()
    {
        _tmp.Write("docs/network.html", "<html><head><title>Network</title></head><body><h1>Network</h1><p>The zephyr daemon listens on TCP port 7311 by default.</p></body></html>");
        _tmp.Write("docs/cache.html", "<html><head><title>Cache</title></head><body><h1>Cache</h1><p>The block cache holds sixteen megabytes by default.</p></body></html>");
        _tmp.Write("docs/audit.html", "<html><head><title>Audit</title></head><body><h1>Audit</h1><p>Audit records are kept for 90 days.</p></body></html>");
    }

    [Trait("tier", "slow")]
    [Fact]
    public async Task A_configured_provider_adds_the_hosted_recipes_and_an_embedding_model_the_hybrid_ones()
    {
        var model = FirstPassageModel();
        await using var server = OpenAiServer.Create(model, WordHashEmbedder(), new ServerOptions { Port = 0 });
        await server.StartAsync();
        WriteDocs();
        _tmp.Write("docs/intro.html", "<html><head><title>Introduction</title></head><body><h1>Introduction</h1><p>Zephyr is a small storage daemon with a network port, a cache and audit records.</p></body></html>");
        _tmp.Write("questions.jsonl", """
            {"id": "q1", "input": "What TCP port does the zephyr daemon listen on?", "expected": "7311", "metadata": {"page": "network.html"}}
            {"id": "q2", "input": "How big is the block cache by default?", "expected": "16MB", "metadata": {"page": "cache.html"}}
            {"id": "q3", "input": "How long are audit records kept?", "expected": "90 days", "metadata": {"page": "audit.html"}}
            """);
        _tmp.Write("lever.yaml", $"""
            providers:
              srv:
                base_url: {server.BaseUrl}
                model: first-passage
                embedding_model: words
            indexes:
              manual:
                path: docs
            lab:
              task: qa
              compute:
                requests_per_month: 1000
              qa:
                index: manual
                freshness: null
                embedding: srv
                k: 2
            """);

        var r = LeverProcess.Run(_tmp.Root, "lab", ".");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_tmp.Root, ".lever", "lab", "summary.json")))!;
        var recipes = summary["recipes"]!.AsArray().ToDictionary(x => x!["name"]!.GetValue<string>(), x => x!.AsObject());
        Assert.Equal(["local-closed-book", "bm25-extractive", "hybrid-extractive", "provider-closed-book", "provider-rag-bm25", "provider-rag-hybrid"], recipes.Keys);
        Assert.Equal("prompt", recipes["provider-closed-book"]["lever"]!.GetValue<string>());
        Assert.Equal("rag", recipes["provider-rag-bm25"]["lever"]!.GetValue<string>());
        // The model only knows what the passages tell it: closed book it knows nothing, with the retrieved page it answers.
        Assert.Equal(0.0, recipes["provider-closed-book"]["accuracy"]!.GetValue<double>());
        Assert.Equal(1.0, recipes["provider-rag-bm25"]["accuracy"]!.GetValue<double>());
        Assert.Equal(1.0, recipes["provider-rag-bm25"]["recall_at_1"]!.GetValue<double>());
        Assert.NotNull(recipes["provider-rag-hybrid"]["ndcg_at_10"]);
        Assert.Equal(6, model.Conversations.Count(c => FirstPassage(c) is not null)); // 3 questions × 2 hosted RAG recipes; the closed-book prompts carry no passages
        // The [1] marker is resolved to the page of passage 1.
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(_tmp.Root, ".lever", "lab", "results.json")))!;
        var rag = results["recipes"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == "provider-rag-bm25")!;
        Assert.Equal(1.0, rag["citation_accuracy"]!.GetValue<double>());
        Assert.Contains("provider-rag-bm25", r.Stdout);
    }

    [Fact]
    public void With_no_provider_the_hybrid_row_runs_on_the_built_in_MiniLM_model_and_embedding_none_skips_it()
    {
        WriteDocs();
        _tmp.Write("questions.jsonl", """
            {"id": "q1", "input": "Which TCP port does the zephyr daemon listen on?", "expected": "7311", "metadata": {"page": "network.html"}}
            {"id": "q2", "input": "How long are audit records kept?", "expected": "90 days", "metadata": {"page": "audit.html"}}
            """);
        string Config(string embedding) => $"""
            indexes:
              manual:
                path: docs
            lab:
              task: qa
              compute:
                requests_per_month: 1000
              qa:
                index: manual
                freshness: null
                k: 2{embedding}
            """;
        _tmp.Write("lever.yaml", Config(""));

        var r = LeverProcess.Run(_tmp.Root, "lab", ".");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_tmp.Root, ".lever", "lab", "summary.json")))!;
        var recipes = summary["recipes"]!.AsArray().ToDictionary(x => x!["name"]!.GetValue<string>(), x => x!.AsObject());
        Assert.Contains("hybrid-extractive", recipes.Keys);
        // Both questions' pages come first by BM25 and by MiniLM alike, so the fused ranking has them first too.
        Assert.Equal(1.0, recipes["hybrid-extractive"]["recall_at_1"]!.GetValue<double>());
        Assert.Contains("local/all-MiniLM-L6-v2", File.ReadAllText(Path.Combine(_tmp.Root, ".lever", "lab", "results.json")));

        _tmp.Write("lever.yaml", Config("\n    embedding: none"));
        var off = LeverProcess.Run(_tmp.Root, "lab", ".");
        Assert.True(off.ExitCode == 0, off.Stdout + off.Stderr);
        var after = JsonNode.Parse(File.ReadAllText(Path.Combine(_tmp.Root, ".lever", "lab", "summary.json")))!;
        Assert.DoesNotContain("hybrid-extractive", after["recipes"]!.AsArray().Select(x => x!["name"]!.GetValue<string>()));
        Assert.Contains("lab.qa.embedding: none", off.Stdout + File.ReadAllText(Path.Combine(_tmp.Root, ".lever", "lab", "results.json")));
    }
}
