using System.Collections.Concurrent;
using System.Text.Json;
using Lever.Core;
using Lever.Server.Tests.TestModels;
using static Lever.Server.Tests.ServerTestHttp;

namespace Lever.Server.Tests;

/// <summary>Many adapters on one base: model routing, /v1/models' parent and root, and runtime load/unload behind the admin scope.</summary>
public sealed class AdapterServingTests
{
    private const string ChatKey = "sk-chat-only-3b7e11";
    private const string AdminKey = "sk-admin-ops-c0a9f2";

    /// <summary>A host whose "adapters" answer with their name and the question: folders named *.lora are adapters.</summary>
    private sealed class StandInHost : IAdapterHost
    {
        public ConcurrentBag<string> Unloaded { get; } = [];

        public string BaseModel => "base";

        public ServedModel Load(string name, string path)
        {
            if (!path.EndsWith(".lora", StringComparison.Ordinal)) throw new LeverUserException($"{path}: not a LoRA adapter folder", "give a folder written by lever train --method lora");
            return new ServedModel { Id = name, ChatFor = _ => new ScriptedChatClient(m => $"{name}: {m[^1].Text}"), Parent = BaseModel, Root = path };
        }

        public void Unload(ServedModel model) => Unloaded.Add(model.Id);
    }

    private static async Task<(OpenAiServer Server, StandInHost Host, List<string> Audit)> Start()
    {
        var host = new StandInHost();
        var audit = new List<string>();
        var keyring = new ServerKeyring()
            .Add(new ServerIdentity("chat-only", null, [], [ServerScope.Chat]), ChatKey)
            .Add(new ServerIdentity("ops", null, [], [ServerScope.Chat, ServerScope.Admin]), AdminKey);
        var models = new List<ServedModel>
        {
            new() { Id = "base", ChatFor = _ => new ScriptedChatClient(m => "base: " + m[^1].Text), Root = "/models/base" },
            host.Load("support", "/adapters/support.lora"),
        };
        var server = OpenAiServer.Create(models, null, new ServerOptions
        {
            Port = 0, Keyring = keyring, Adapters = host, AdapterAudit = (e, n, p, w) => { lock (audit) audit.Add($"{e} {n} {p} {w}"); },
        });
        await server.StartAsync();
        return (server, host, audit);
    }

    private static string Ask(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private static string Content(JsonElement body) => body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    [Fact]
    public async Task The_model_field_picks_base_or_adapter_unknown_is_404_and_models_lists_parent_and_root()
    {
        var (server, _, _) = await Start();
        await using var _s = server;
        Assert.Equal("base: hi", Content((await Chat(server.BaseUrl, ChatKey, Ask("base"))).Body));
        var (status, body, _) = await Chat(server.BaseUrl, ChatKey, Ask("support"));
        Assert.Equal(200, status);
        Assert.Equal("support: hi", Content(body));
        Assert.Equal("support", body.GetProperty("model").GetString());
        (status, body, _) = await Chat(server.BaseUrl, ChatKey, Ask("billing"));
        Assert.Equal(404, status);
        Assert.Equal("model_not_found", Error(body, "code"));
        Assert.Equal("The model 'billing' does not exist on this server; it serves: base, support.", Error(body, "message"));

        (_, body, _) = await Send(HttpMethod.Get, server.BaseUrl + "/models", ChatKey);
        var listed = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["base", "support"], listed.Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Null, listed[0].GetProperty("parent").ValueKind);
        Assert.Equal("/models/base", listed[0].GetProperty("root").GetString());
        Assert.Equal("base", listed[1].GetProperty("parent").GetString());
        Assert.Equal("/adapters/support.lora", listed[1].GetProperty("root").GetString());
    }

    [Fact]
    public async Task Adapters_load_and_unload_at_runtime_with_the_admin_scope_and_bad_requests_are_400()
    {
        var (server, host, audit) = await Start();
        await using var _s = server;
        var load = server.BaseUrl + "/load_lora_adapter";
        var unload = server.BaseUrl + "/unload_lora_adapter";
        const string billing = """{"lora_name":"billing","lora_path":"/adapters/billing.lora"}""";

        var (status, body, _) = await Send(HttpMethod.Post, load, ChatKey, billing);
        Assert.Equal(403, status);
        Assert.Contains("lacks the 'admin' scope", Error(body, "message"), StringComparison.Ordinal);

        var (okStatus, _, response) = await Send(HttpMethod.Post, load, AdminKey, billing);
        Assert.Equal(200, okStatus);
        Assert.Equal("Success: LoRA adapter 'billing' added successfully.", await response.Content.ReadAsStringAsync());
        Assert.Equal("billing: hi", Content((await Chat(server.BaseUrl, ChatKey, Ask("billing"))).Body));

        (status, body, _) = await Send(HttpMethod.Post, load, AdminKey, billing);
        Assert.Equal(400, status);
        Assert.StartsWith("The lora adapter 'billing' has already been loaded.", Error(body, "message"), StringComparison.Ordinal);
        (status, body, _) = await Send(HttpMethod.Post, load, AdminKey, """{"lora_name":"x","lora_path":"/models/base"}""");
        Assert.Equal(400, status);
        Assert.Equal("/models/base: not a LoRA adapter folder (give a folder written by lever train --method lora)", Error(body, "message"));
        (status, body, _) = await Send(HttpMethod.Post, load, AdminKey, """{"lora_name":"x"}""");
        Assert.Equal(400, status);
        Assert.Equal("Both 'lora_name' and 'lora_path' must be provided.", Error(body, "message"));

        (status, body, _) = await Send(HttpMethod.Post, unload, AdminKey, """{"lora_name":"base"}""");
        Assert.Equal(400, status);
        Assert.StartsWith("'base' is not a LoRA adapter of this server", Error(body, "message"), StringComparison.Ordinal);
        (okStatus, _, response) = await Send(HttpMethod.Post, unload, AdminKey, """{"lora_name":"billing"}""");
        Assert.Equal(200, okStatus);
        Assert.Equal("Success: LoRA adapter 'billing' removed successfully.", await response.Content.ReadAsStringAsync());
        Assert.Equal(["billing"], host.Unloaded);
        Assert.Equal(404, (await Chat(server.BaseUrl, ChatKey, Ask("billing"))).Status);
        (status, body, _) = await Send(HttpMethod.Post, unload, AdminKey, """{"lora_name":"billing"}""");
        Assert.Equal(404, status);
        Assert.Equal("model_not_found", Error(body, "code"));

        // The in-process hook (a fine-tuned adapter that became ready) takes the same path as the endpoint.
        server.LoadAdapter("ft-1", "/adapters/ft-1.lora", "fine-tuning");
        Assert.Equal("ft-1: hi", Content((await Chat(server.BaseUrl, ChatKey, Ask("ft-1"))).Body));
        Assert.Equal(["adapter_load billing /adapters/billing.lora ops", "adapter_unload billing /adapters/billing.lora ops", "adapter_load ft-1 /adapters/ft-1.lora fine-tuning"], audit);
    }

    [Fact]
    public async Task A_server_without_an_adapter_base_refuses_loading_with_400()
    {
        await using var server = OpenAiServer.Create([ServedModel.Of("m", new ReverseChatClient())], null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        var (status, body, _) = await Send(HttpMethod.Post, server.BaseUrl + "/load_lora_adapter", null, """{"lora_name":"a","lora_path":"/x.lora"}""");
        Assert.Equal(400, status);
        Assert.StartsWith("this server has no adapter base", Error(body, "message"), StringComparison.Ordinal);
    }
}
