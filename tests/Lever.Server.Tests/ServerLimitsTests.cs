using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lever.Server.Tests.TestModels;
using static Lever.Server.Tests.ServerTestHttp;

namespace Lever.Server.Tests;

/// <summary>Every limit of <see cref="ServerLimits"/> answered over real HTTP on 127.0.0.1 with the status and error an OpenAI client expects.</summary>
public sealed class ServerLimitsTests
{
    private const string KeyA = "sk-limits-team-a-0001";
    private const string KeyB = "sk-limits-team-b-0002";

    private static async Task<OpenAiServer> Start(ServerLimits limits, Microsoft.Extensions.AI.IChatClient? chat = null, List<string>? log = null)
    {
        var keyring = new ServerKeyring()
            .Add(new ServerIdentity("team-a", "alice", ["A"], [ServerScope.Chat, ServerScope.Embeddings]), KeyA)
            .Add(new ServerIdentity("team-b", "bob", ["B"], [ServerScope.Chat]), KeyB);
        var server = OpenAiServer.Create([ServedModel.Of("reverse", chat ?? new ReverseChatClient()), ServedModel.Of("reverse-2", new ReverseChatClient())], null,
            new ServerOptions { Port = 0, Keyring = keyring, Limits = limits, AccessLog = log is null ? null : line => { lock (log) log.Add(line); } });
        await server.StartAsync();
        return server;
    }

    private const string Hello = """{"model":"reverse","messages":[{"role":"user","content":"hello there"}]}""";

    [Fact]
    public async Task A_40_MB_body_is_413_naming_the_limit_declared_or_chunked()
    {
        await using var server = await Start(new ServerLimits());
        var big = "{\"model\":\"reverse\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 40 * 1024 * 1024) + "\"}]}";
        using var declared = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/chat/completions") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(big)) };
        declared.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyA);
        declared.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.SendAsync(declared);
        Assert.Equal(413, (int)response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("request_too_large", Error(body, "code"));
        Assert.Contains("limit of 8388608 bytes (server.limits.max_body_bytes)", Error(body, "message"), StringComparison.Ordinal);

        // No Content-Length (chunked): Kestrel stops reading at the same limit, and the answer is the same 413.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/chat/completions") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyA);
        chunked.Headers.TransferEncodingChunked = true;
        using var response2 = await Http.SendAsync(chunked);
        Assert.Equal(413, (int)response2.StatusCode);
        Assert.Equal("request_too_large", Error(JsonDocument.Parse(await response2.Content.ReadAsStringAsync()).RootElement, "code"));

        // The server is still fine.
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyA, Hello)).Status);
    }

    [Fact]
    public async Task Max_tokens_over_the_limit_is_400_naming_the_limit()
    {
        await using var server = await Start(new ServerLimits { MaxTokens = 64 });
        var (status, body, _) = await Chat(server.BaseUrl, KeyA, """{"model":"reverse","max_tokens":65,"messages":[{"role":"user","content":"a"}]}""");
        Assert.Equal(400, status);
        Assert.Equal("max_tokens", Error(body, "param"));
        Assert.Equal("max_tokens is 65, over this server's limit of 64 (server.limits.max_tokens).", Error(body, "message"));
        (status, _, _) = await Chat(server.BaseUrl, KeyA, """{"model":"reverse","max_completion_tokens":64,"messages":[{"role":"user","content":"a"}]}""");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task An_unknown_model_is_404_model_not_found_and_models_lists_what_is_served()
    {
        await using var server = await Start(new ServerLimits());
        var (status, body, _) = await Chat(server.BaseUrl, KeyA, """{"model":"gpt-4o","messages":[{"role":"user","content":"a b"}]}""");
        Assert.Equal(404, status);
        Assert.Equal("model_not_found", Error(body, "code"));
        Assert.Equal("The model 'gpt-4o' does not exist on this server; it serves: reverse, reverse-2.", Error(body, "message"));

        (status, body, _) = await Send(HttpMethod.Get, server.BaseUrl + "/models", KeyB);
        Assert.Equal(200, status);
        Assert.Equal(["reverse", "reverse-2"], body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray());

        (status, body, _) = await Chat(server.BaseUrl, KeyA, """{"model":"reverse-2","messages":[{"role":"user","content":"a b"}]}""");
        Assert.Equal((200, "reverse-2", "b a"), (status, body.GetProperty("model").GetString(), body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task The_rate_per_identity_is_429_with_retry_after_and_other_identities_go_on()
    {
        await using var server = await Start(new ServerLimits { RequestsPerMinutePerKey = 2 });
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyA, Hello)).Status);
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyA, Hello)).Status);
        var (status, body, response) = await Chat(server.BaseUrl, KeyA, Hello);
        Assert.Equal(429, status);
        Assert.Equal("rate_limit_exceeded", Error(body, "code"));
        Assert.Contains("identity 'team-a': at most 2 requests per minute (server.limits.requests_per_minute_per_key)", Error(body, "message"), StringComparison.Ordinal);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyB, Hello)).Status); // team-b has its own window
    }

    [Fact]
    public async Task Concurrent_requests_per_identity_beyond_the_limit_are_429_and_the_held_one_finishes()
    {
        var gated = new GatedChatClient();
        await using var server = await Start(new ServerLimits { MaxConcurrentRequestsPerKey = 1 }, gated);
        var held = Chat(server.BaseUrl, KeyA, Hello);
        await gated.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var (status, body, response) = await Chat(server.BaseUrl, KeyA, """{"model":"reverse-2","messages":[{"role":"user","content":"a"}]}""");
        Assert.Equal(429, status);
        Assert.Contains("at most 1 per identity", Error(body, "message"), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyB, """{"model":"reverse-2","messages":[{"role":"user","content":"a"}]}""")).Status);
        gated.Release();
        var first = await held;
        Assert.Equal((200, "released hello there"), (first.Status, first.Body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyA, Hello)).Status); // the permit came back
    }

    [Fact]
    public async Task The_whole_server_concurrency_limit_holds_across_identities()
    {
        var gated = new GatedChatClient();
        await using var server = await Start(new ServerLimits { MaxConcurrentRequests = 1 }, gated);
        var held = Chat(server.BaseUrl, KeyA, Hello);
        await gated.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(429, (await Chat(server.BaseUrl, KeyB, """{"model":"reverse-2","messages":[{"role":"user","content":"a"}]}""")).Status);
        gated.Release();
        Assert.Equal(200, (await held).Status);
    }

    [Fact]
    public async Task A_client_sending_its_body_too_slowly_gets_408()
    {
        await using var server = await Start(new ServerLimits { MinRequestBytesPerSecond = 1000, SlowClientGraceSeconds = 1.5 });
        var uri = new Uri(server.BaseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {KeyA}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var reply = new StringBuilder();
        var buffer = new byte[4096];
        var read = Task.Run(async () =>
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) reply.Append(Encoding.ASCII.GetString(buffer, 0, n));
        });
        // A byte every 200 ms: 5 bytes/s, far under 1000.
        for (int i = 0; i < 30 && !read.IsCompleted; i++)
        {
            await Task.Delay(200);
            try
            {
                await stream.WriteAsync(" "u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }
        }
        await read.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        Assert.StartsWith("HTTP/1.1 408", reply.ToString(), StringComparison.Ordinal);
        Assert.Contains("request_timeout", reply.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_too_slow_with_its_headers_is_cut_off()
    {
        await using var server = await Start(new ServerLimits { RequestHeadersTimeoutSeconds = 1 });
        var uri = new Uri(server.BaseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /v1/models HTTP/1.1\r\nHost: {uri.Authority}\r\n")); // and never the blank line
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[4096];
        var reply = new StringBuilder();
        int n;
        while ((n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15))) > 0) reply.Append(Encoding.ASCII.GetString(buffer, 0, n));
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.5, 10); // closed by the server after about the timeout
        Assert.True(reply.Length == 0 || reply.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal), reply.ToString());
    }

    [Fact]
    public async Task A_client_reading_its_response_too_slowly_is_cut_off()
    {
        var log = new List<string>();
        var huge = new FloodChatClient(2048); // 128 MiB in 64 KiB chunks
        await using var server = await Start(new ServerLimits { MinResponseBytesPerSecond = 50_000_000, SlowClientGraceSeconds = 1.5 }, huge, log);
        var uri = new Uri(server.BaseUrl);
        using var tcp = new TcpClient { ReceiveBufferSize = 4096 };
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var body = """{"model":"reverse","stream":true,"messages":[{"role":"user","content":"flood"}]}""";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {KeyA}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        // Read nothing: the stream fills the socket buffers and the server's writes stall past the grace period. (Kestrel
        // credits each write its size / rate, so the rate is set high enough for the few MB the buffers take to earn little.)
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            lock (log)
            {
                if (log.Count > 0) break;
            }
            await Task.Delay(100);
        }
        lock (log) Assert.True(log.Any(l => l.Contains(" team-a POST /v1/chat/completions 200 ", StringComparison.Ordinal) && l.EndsWith("(client went away)", StringComparison.Ordinal)), $"yielded {huge.Yielded}; log: {string.Join(" | ", log)}");
    }

    [Fact]
    public async Task A_client_that_drops_a_stream_cancels_the_model_and_the_server_goes_on()
    {
        var gated = new GatedChatClient();
        var log = new List<string>();
        await using var server = await Start(new ServerLimits(), gated, log);
        using (var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/chat/completions") { Content = new StringContent("""{"model":"reverse","stream":true,"messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", KeyA);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Contains("\"first\"", await reader.ReadLineAsync(), StringComparison.Ordinal);
        } // the client goes away mid-stream
        await gated.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, (await Chat(server.BaseUrl, KeyA, """{"model":"reverse-2","messages":[{"role":"user","content":"a"}]}""")).Status);
        lock (log) Assert.Contains(log, l => l.Contains(" team-a POST /v1/chat/completions 200 ", StringComparison.Ordinal) && l.EndsWith("(client went away)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_model_failing_mid_stream_ends_the_stream_with_an_error_event_and_no_done()
    {
        var failing = new GatedChatClient { FailMidStream = new InvalidOperationException("the GPU fell over") };
        await using var server = await Start(new ServerLimits(), failing);
        var text = await Raw(server.BaseUrl + "/chat/completions", KeyA, """{"model":"reverse","stream":true,"messages":[{"role":"user","content":"x"}]}""");
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"first\"", events[0], StringComparison.Ordinal);
        var error = JsonDocument.Parse(events[^1]["data: ".Length..]).RootElement;
        Assert.Equal("the model failed mid-stream: the GPU fell over", Error(error, "message"));
        Assert.DoesNotContain("data: [DONE]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graceful_shutdown_finishes_the_request_in_flight_and_refuses_new_ones()
    {
        var gated = new GatedChatClient();
        await using var server = await Start(new ServerLimits { ShutdownTimeoutSeconds = 20 }, gated);
        var baseUrl = server.BaseUrl;
        var held = Chat(baseUrl, KeyA, Hello);
        await gated.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = server.StopAsync();
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted); // it waits for the request in flight
        await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient().GetAsync(baseUrl + "/models")); // no new connection
        gated.Release();
        var (status, body, _) = await held;
        Assert.Equal((200, "released hello there"), (status, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_access_log_names_the_identity_never_the_key()
    {
        var log = new List<string>();
        await using var server = await Start(new ServerLimits(), log: log);
        await Chat(server.BaseUrl, KeyA, Hello);
        await Chat(server.BaseUrl, KeyA + "-wrong", Hello);
        await Send(HttpMethod.Get, server.BaseUrl + "/models?api_key=" + KeyB, KeyB);
        lock (log)
        {
            Assert.Contains(log, l => l.Contains(" team-a POST /v1/chat/completions 200 ", StringComparison.Ordinal));
            Assert.Contains(log, l => l.Contains(" - POST /v1/chat/completions 401 ", StringComparison.Ordinal));
            Assert.Contains(log, l => l.Contains(" team-b GET /v1/models 200 ", StringComparison.Ordinal));
            Assert.All(log, l => Assert.DoesNotContain("sk-limits", l, StringComparison.Ordinal));
        }
    }
}
