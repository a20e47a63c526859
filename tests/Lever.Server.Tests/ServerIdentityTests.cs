using System.Text.Json;
using Lever.Core;
using Lever.Core.Config;
using Lever.Server.Tests.TestModels;
using Microsoft.Extensions.AI;
using static Lever.Server.Tests.ServerTestHttp;

namespace Lever.Server.Tests;

/// <summary>Who is calling: API keys as identities with scopes, over real HTTP on 127.0.0.1, and the server: section that configures them.</summary>
public sealed class ServerIdentityTests
{
    private const string ChatKey = "sk-chat-only-4f1e9a";
    private const string EmbedKey = "sk-embed-only-77c2d0";
    private const string AdminKey = "sk-admin-ops-a81b55";
    private const string RagKey = "sk-rag-team-a-19cc3e";

    private static ServerKeyring Keyring() => new ServerKeyring()
        .Add(new ServerIdentity("chat-only", "carol", [], [ServerScope.Chat]), ChatKey)
        .Add(new ServerIdentity("embed-only", null, [], [ServerScope.Embeddings]), EmbedKey)
        .Add(new ServerIdentity("ops", "olga", ["ops"], [ServerScope.Admin]), AdminKey)
        .Add(new ServerIdentity("team-a", "alice", ["A"], [ServerScope.Chat, ServerScope.Retrieval]), RagKey);

    /// <summary>A citing model: answers with who it was asked as (the identity the server handed it) and cites one passage.</summary>
    private static ServedModel WhoAmIModel() => new()
    {
        Id = "rag",
        Cites = true,
        ChatFor = caller => new ScriptedChatClient(_ => $"asked as {caller.User} in [{string.Join(",", caller.Groups)}] [1]")
        {
            Usage = (_, _) => new UsageDetails { InputTokenCount = 3, OutputTokenCount = 5 },
        }.AsCiting([new ServedCitation(1, $"docs/{caller.Groups.FirstOrDefault()}.md", "Intro", 10, 42, true, 0.5)]),
    };

    private static async Task<OpenAiServer> Start(IReadOnlyList<ServedModel>? models = null, string? apiKey = null, ServerKeyring? keyring = null)
    {
        var server = OpenAiServer.Create(models ?? [ServedModel.Of("reverse", new ReverseChatClient())], new WordHashEmbedder(8, t => ScriptedChatClient.Words(t)), new ServerOptions { Port = 0, Keyring = keyring ?? Keyring(), ApiKey = apiKey, ModelName = "reverse", EmbeddingModelName = "hash" });
        await server.StartAsync();
        return server;
    }

    [Fact]
    public async Task Each_endpoint_needs_its_scope_and_a_key_without_it_gets_403_naming_the_scope()
    {
        await using var server = await Start();
        const string chat = """{"model":"reverse","messages":[{"role":"user","content":"a b"}]}""";
        const string embed = """{"model":"hash","input":"a b"}""";

        Assert.Equal(200, (await Chat(server.BaseUrl, ChatKey, chat)).Status);
        var (status, body, _) = await Chat(server.BaseUrl, EmbedKey, chat);
        Assert.Equal(403, status);
        Assert.Equal("insufficient_scope", Error(body, "code"));
        Assert.Contains("identity 'embed-only' lacks the 'chat' scope", Error(body, "message"), StringComparison.Ordinal);

        Assert.Equal(200, (await Send(HttpMethod.Post, server.BaseUrl + "/embeddings", EmbedKey, embed)).Status);
        (status, body, _) = await Send(HttpMethod.Post, server.BaseUrl + "/embeddings", ChatKey, embed);
        Assert.Equal(403, status);
        Assert.Contains("lacks the 'embeddings' scope", Error(body, "message"), StringComparison.Ordinal);

        // A wrong key is nobody: 401, whatever it resembles.
        Assert.Equal(401, (await Chat(server.BaseUrl, ChatKey + "x", chat)).Status);
        Assert.Equal(401, (await Chat(server.BaseUrl, null, chat)).Status);
    }

    [Fact]
    public async Task The_admin_endpoint_lists_identities_and_scopes_to_admins_only_and_never_a_key()
    {
        await using var server = await Start(apiKey: "sk-single-legacy-key-0042");
        var (status, body, _) = await Send(HttpMethod.Get, server.BaseUrl + "/admin/identities", ChatKey);
        Assert.Equal(403, status);
        Assert.Contains("lacks the 'admin' scope, which GET /v1/admin/identities needs", Error(body, "message"), StringComparison.Ordinal);

        (status, body, var response) = await Send(HttpMethod.Get, server.BaseUrl + "/admin/identities", AdminKey);
        Assert.Equal(200, status);
        var listed = body.GetProperty("data").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => string.Join(",", e.GetProperty("scopes").EnumerateArray().Select(s => s.GetString())));
        Assert.Equal("chat", listed["chat-only"]);
        Assert.Equal("admin", listed["ops"]);
        Assert.Equal("chat,retrieval", listed["team-a"]);
        Assert.Equal("chat,embeddings,retrieval,admin", listed[OpenAiServer.SingleKeyId]); // LEVER_SERVER_KEY is one admin identity
        var text = body.GetRawText();
        foreach (var key in new[] { ChatKey, EmbedKey, AdminKey, RagKey, "sk-single-legacy-key-0042" })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexStringLower(ServerKeyring.Hash(key)), text, StringComparison.Ordinal);
        }

        // The single key is an admin too.
        Assert.Equal(200, (await Send(HttpMethod.Get, server.BaseUrl + "/admin/identities", "sk-single-legacy-key-0042")).Status);
    }

    [Fact]
    public async Task A_citing_model_needs_retrieval_and_answers_as_the_keys_identity_whatever_the_client_claims()
    {
        await using var server = await Start([WhoAmIModel()]);
        // The client claims to be someone else in every field OpenAI clients have: the server never reads them.
        const string request = """{"model":"rag","user":"bob","metadata":{"user":"bob","groups":"B"},"groups":["B"],"messages":[{"role":"user","content":"who am I?"}]}""";
        var (status, body, _) = await Chat(server.BaseUrl, ChatKey, request);
        Assert.Equal(403, status);
        Assert.Contains("lacks the 'retrieval' scope, which model 'rag' (it retrieves from an index) needs", Error(body, "message"), StringComparison.Ordinal);

        (status, body, _) = await Chat(server.BaseUrl, RagKey, request);
        Assert.Equal(200, status);
        var message = body.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("asked as alice in [A] [1]", message.GetProperty("content").GetString());
        var citation = Assert.Single(message.GetProperty("citations").EnumerateArray());
        Assert.Equal((1, "docs/A.md", "Intro", 10, 42, true), (citation.GetProperty("index").GetInt32(), citation.GetProperty("document").GetString(), citation.GetProperty("section").GetString(),
            citation.GetProperty("span").GetProperty("start").GetInt32(), citation.GetProperty("span").GetProperty("end").GetInt32(), citation.GetProperty("cited").GetBoolean()));

        // Streaming carries the citations in a delta.
        var stream = await Raw(server.BaseUrl + "/chat/completions", RagKey, request.Replace("\"model\":\"rag\"", "\"model\":\"rag\",\"stream\":true", StringComparison.Ordinal));
        var chunks = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e != "data: [DONE]").Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        var cited = chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()).Where(ch => ch.GetProperty("delta").TryGetProperty("citations", out _)).ToList();
        Assert.Equal("docs/A.md", Assert.Single(cited).GetProperty("delta").GetProperty("citations")[0].GetProperty("document").GetString());
    }

    [Fact]
    public void The_keyring_keeps_hashes_and_finds_the_identity_of_a_key()
    {
        var keyring = new ServerKeyring().AddHash(new ServerIdentity("hashed", null, [], [ServerScope.Chat]), ServerKeyring.Hash("sk-hashed-0001"));
        Assert.Equal("hashed", keyring.Authenticate("sk-hashed-0001")?.Id);
        Assert.Null(keyring.Authenticate("sk-hashed-0002"));
        Assert.Null(keyring.Authenticate(""));
        Assert.Throws<ArgumentException>(() => keyring.Add(new ServerIdentity("again", null, [], [ServerScope.Chat]), "sk-hashed-0001"));
    }

    private static LeverConfig Config(string yaml) => LeverConfig.Parse("lever.yaml", yaml);

    [Fact]
    public void Server_keys_bind_from_lever_yaml_and_a_keys_file_of_hashes()
    {
        using var ws = new TempWorkspace("lever-server-keys-");
        ws.Write("keys.yaml", $"keys:\n  - id: batch\n    key_sha256: {Convert.ToHexStringLower(ServerKeyring.Hash("sk-batch-job-7777"))}\n    scopes: [embeddings]\n");
        var config = Config("server:\n  keys_file: keys.yaml\n  keys:\n    - id: team-a\n      key_env: KEY_A\n      user: alice\n      groups: [A, all]\n      scopes: [chat, retrieval]\n    - id: dev\n      key_env: KEY_DEV\n  limits:\n    max_tokens: 256\n");
        var settings = ServerSettings.Load(config);
        Assert.Equal(256, settings.Limits.MaxTokens);
        var keyring = ServerKeyring.FromSettings(settings, config, ws.Root, name => name switch { "KEY_A" => "sk-team-a-1234", "KEY_DEV" => "sk-dev-5678", _ => null });
        var a = keyring.Authenticate("sk-team-a-1234")!;
        Assert.Equal(("team-a", "alice", "A,all", "Chat,Retrieval"), (a.Id, a.User, string.Join(",", a.Groups), string.Join(",", a.Scopes)));
        Assert.Equal("Chat,Embeddings", string.Join(",", keyring.Authenticate("sk-dev-5678")!.Scopes)); // the default scopes
        Assert.Equal("batch", keyring.Authenticate("sk-batch-job-7777")!.Id);
    }

    [Theory]
    [InlineData("server:\n  keys:\n    - id: team-a\n      key_env: KEY_UNSET\n", "lever.yaml:4:", "server.keys[0].key_env: $KEY_UNSET is not set")]
    [InlineData("server:\n  keys:\n    - id: team-a\n      key_env: KEY_A\n      scopes: [chat, admn]\n", "lever.yaml:5:", "expected one of chat | embeddings | retrieval | admin")]
    [InlineData("server:\n  keys:\n    - id: team-a\n      key_env: KEY_A\n    - id: team-a\n      key_env: KEY_B\n", "lever.yaml:5:", "identity 'team-a' is defined twice")]
    [InlineData("server:\n  keys:\n    - id: team-a\n      key_env: KEY_A\n    - id: team-b\n      key_env: KEY_SAME\n", "lever.yaml:6:", "identity 'team-b' has the same key as 'team-a'")]
    [InlineData("server:\n  keys:\n    - id: team-a\n      key_sha256: abc\n", "lever.yaml:4:", "not a SHA-256 in hex")]
    [InlineData("server:\n  keys:\n    - id: team-a\n", "lever.yaml:3:", "give exactly one of key_env and key_sha256")]
    [InlineData("server:\n  keyz: []\n", "lever.yaml:2:", "keyz")]
    [InlineData("server:\n  limits:\n    max_body_bytes: 0\n", "lever.yaml:3:", "server.limits.max_body_bytes: 0 is not a positive size")]
    [InlineData("server:\n  keys_file: missing.yaml\n", "lever.yaml:2:", "missing.yaml does not exist")]
    public void A_wrong_server_section_is_one_line_with_file_line_and_the_fix_never_a_key(string yaml, string at, string what)
    {
        var ex = Assert.Throws<LeverUserException>(() =>
        {
            var config = Config(yaml);
            ServerKeyring.FromSettings(ServerSettings.Load(config), config, Path.GetTempPath(), name => name switch { "KEY_A" or "KEY_SAME" => "sk-secret-value-31337", "KEY_B" => "sk-other-value-4242", _ => null });
        });
        Assert.StartsWith(at, ex.Message, StringComparison.Ordinal);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.Hint);
        Assert.DoesNotContain("sk-secret-value-31337", ex.Message + ex.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-other-value-4242", ex.Message + ex.Hint, StringComparison.Ordinal);
    }
}
