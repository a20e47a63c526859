using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Lever.Server;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Tests;

/// <summary><c>lever serve</c> as a process: it serves a configured provider (here another OpenAI-compatible server) on loopback with a bearer token.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempWorkspace _tmp = new("lever-cli-serve-");

    private string _dir => _tmp.Root;

    public void Dispose() => _tmp.Dispose();

    /// <summary>Answers with the question upper-cased.</summary>
    private static ScriptedChatClient UpperModel() => new(messages => messages[^1].Text.ToUpperInvariant())
    {
        Usage = (_, _) => new UsageDetails { InputTokenCount = 2, OutputTokenCount = 2 },
    };


    [Fact]
    public async Task Serve_proxies_a_provider_on_loopback_behind_a_bearer_token()
    {
        await using var upstream = OpenAiServer.Create(UpperModel(), null, new ServerOptions { Port = 0 });
        await upstream.StartAsync();
        File.WriteAllText(Path.Combine(_dir, "lever.yaml"), $"providers:\n  up:\n    base_url: {upstream.BaseUrl}\n    model: upper\n");

        using var process = StartServe("--provider", "up");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.NotNull(line);
            Assert.StartsWith("lever serve: http://127.0.0.1:", line, StringComparison.Ordinal);
            Assert.DoesNotContain("serve-test-token", line, StringComparison.Ordinal);
            var baseUrl = line["lever serve: ".Length..].Split(' ')[0];

            using var http = new HttpClient();
            var body = """{"messages":[{"role":"user","content":"hello there"}]}""";
            using var denied = await http.PostAsync(baseUrl + "/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(401, (int)denied.StatusCode);

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "serve-test-token");
            using var ok = await http.PostAsync(baseUrl + "/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("HELLO THERE", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            Assert.Equal(2, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private Process StartServe(params string[] args)
    {
        var start = LeverProcess.StartInfo(_dir, ["serve", .. args, "--port", "0", "--workspace", _dir]);
        start.Environment["LEVER_SERVER_KEY"] = "serve-test-token";
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Serve_model_exposes_a_local_checkpoint()
    {
        // The checkpoint is made by the CLI, so libtorch never loads in the test host that then forks `lever serve`.
        var init = LeverProcess.Run(_dir, "model", "init", "--config", "tiny", "-o", "tiny", "--seed", "5");
        Assert.True(init.ExitCode == 0, init.Stderr);
        using var process = StartServe("--model", "tiny");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(line?.StartsWith("lever serve: http://127.0.0.1:", StringComparison.Ordinal), line);
            var baseUrl = line!["lever serve: ".Length..].Split(' ')[0];
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "serve-test-token");
            using var ok = await http.PostAsync(baseUrl + "/chat/completions", new StringContent("""{"messages":[{"role":"user","content":"hello there"}],"max_tokens":4,"temperature":0}""", Encoding.UTF8, "application/json"));
            var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("tiny", json.GetProperty("model").GetString());
            var usage = json.GetProperty("usage");
            Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 2);
            Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 1, 4); // max_tokens reached the engine
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
