using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary><c>lever ask</c> through a provider configured in lever.yaml, served by a real OpenAI-compatible server on 127.0.0.1.</summary>
public sealed class AskProviderTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-ask-");

    public void Dispose() => _tmp.Dispose();

    /// <summary>Answers with the first sentence of the passage that mentions "refund", cited by that passage's number.</summary>
    private static ScriptedChatClient CitingModel() => new(messages =>
    {
        var prompt = ScriptedChatClient.LastUser(messages);
        // Passages arrive as "[n] Title — heading (doc)\ntext"; answer from the one about refunds.
        var blocks = prompt.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var hit = blocks.First(b => b.StartsWith('[') && b.Contains("Refunds are", StringComparison.Ordinal));
        var n = hit[1..hit.IndexOf(']', StringComparison.Ordinal)];
        var fact = hit[hit.IndexOf("Refunds are", StringComparison.Ordinal)..].Split('.')[0];
        return $"{fact} [{n}].";
    });


    /// <summary>Hashes each word into one of 32 dimensions: texts that share words get similar vectors.</summary>
    private static WordHashEmbedder WordHashEmbedder() => new(32, t => Lever.Testing.WordHashEmbedder.Split(t, ' ', '\n', '.', '?', '#')) { Hash = WordHash.Polynomial31 };


    [Fact]
    public async Task An_index_embedding_provider_is_used_to_ingest_and_to_search()
    {
        var embedder = WordHashEmbedder();
        await using var server = OpenAiServer.Create(CitingModel(), embedder, new ServerOptions { Port = 0 });
        await server.StartAsync();
        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: citer\n    embedding_model: words\nindexes:\n  default:\n    embedding: srv\n");
        Corpus(vectors: true);
        var afterIngest = embedder.Calls;
        Assert.True(afterIngest > 0, "index add did not embed the chunks");
        var r = LeverProcess.Run(_tmp.Root, "search", "refunds return", "--json");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.True(embedder.Calls > afterIngest, "search did not embed the query");
        Assert.Contains("\"doc\":\"faq.md\"", r.Stdout);

        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: citer\nindexes:\n  default:\n    embedding: srv\n");
        var noModel = LeverProcess.Run(_tmp.Root, "search", "refunds");
        Assert.Equal(2, noModel.ExitCode);
        Assert.Contains("has no embedding_model", noModel.Stderr);
    }

    private void Corpus(bool vectors = false)
    {
        _tmp.Write("corpus/shipping.md", "# Shipping\nParcels leave the warehouse within two days.");
        _tmp.Write("corpus/faq.md", "# FAQ\n## Refunds\nRefunds are issued within 14 days of a return. Keep the receipt.");
        var add = vectors ? LeverProcess.Run(_tmp.Root, "index", "add", "corpus") : LeverProcess.Run(_tmp.Root, "index", "add", "corpus", "--no-vectors");
        Assert.True(add.ExitCode == 0, add.Stderr);
    }

    [Fact]
    public async Task Ask_answers_through_the_configured_provider_with_citations_pointing_at_the_hits()
    {
        Corpus();
        var model = CitingModel();
        await using var server = OpenAiServer.Create(model, null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        // Two chat providers: the ask: setting picks one; the other points nowhere and must not be called.
        _tmp.Write("lever.yaml", $"providers:\n  srv:\n    base_url: {server.BaseUrl}\n    model: citer\n  other:\n    base_url: http://127.0.0.1:9/v1\n    model: x\nask:\n  provider: srv\n");

        var r = LeverProcess.Run(_tmp.Root, "ask", "How long do refunds take?");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.DoesNotContain("No generator is configured", r.Stdout);
        var lines = r.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        var answer = lines[0];
        Assert.Matches(@"^Refunds are issued within 14 days of a return \[\d\]\.$", answer);
        var n = answer[(answer.LastIndexOf('[') + 1)..answer.LastIndexOf(']')];
        // The cited number is the listed passage from faq.md: the citation points at the hit that holds the fact.
        Assert.Contains(lines, l => l.StartsWith($"[{n}] FAQ — faq.md § FAQ > Refunds [", StringComparison.Ordinal));
        Assert.Contains("Refunds are issued within 14 days", ScriptedChatClient.LastUser(model.Conversations[^1]));

        // --provider overrides ask.provider: the unreachable one fails with a named, one-line error and no stack trace.
        var down = LeverProcess.Run(_tmp.Root, "ask", "How long do refunds take?", "--provider", "other");
        Assert.NotEqual(0, down.ExitCode);
        Assert.Contains("error: provider 'other' at http://127.0.0.1:9/v1 is unreachable", down.Stderr);
        Assert.DoesNotContain("   at ", down.Stderr);
        Assert.DoesNotContain("internal error", down.Stdout + down.Stderr);
    }

    [Fact]
    public void Ask_with_two_chat_providers_and_no_choice_is_a_user_error_naming_them()
    {
        Corpus();
        _tmp.Write("lever.yaml", "providers:\n  a:\n    base_url: http://127.0.0.1:9/v1\n    model: x\n  b:\n    base_url: http://127.0.0.1:9/v1\n    model: y\n");
        var r = LeverProcess.Run(_tmp.Root, "ask", "How long do refunds take?");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("2 chat providers are configured", r.Stderr);
        Assert.Contains("hint: pass --provider a", r.Stderr);
    }
}
