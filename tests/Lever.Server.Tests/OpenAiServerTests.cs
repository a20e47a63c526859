using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Server.Tests.TestModels;
using Microsoft.Extensions.AI;

namespace Lever.Server.Tests;

/// <summary>
/// The HTTP path end to end: a real Kestrel server on 127.0.0.1 speaking the OpenAI protocol, and Lever's
/// OpenAI-compatible provider (Microsoft.Extensions.AI.OpenAI over the OpenAI SDK) talking to it.
/// </summary>
public sealed class OpenAiServerTests : IAsyncLifetime
{
    private const string Key = "sk-test-0123456789";
    private const string KeyVariable = "LEVER_TEST_SERVER_KEY";
    private OpenAiServer _server = null!;

    /// <summary>
    /// Feature hashing of lower-cased words into 16 signed dimensions, L2-normalized; usage counts words. Same text,
    /// same vector, so HTTP round trips can be compared exactly.
    /// </summary>
    private static WordHashEmbedder HashingEmbedder() => new(16, t => ScriptedChatClient.Words(t.ToLowerInvariant()))
    {
        Signed = true,
        Normalized = true,
        Usage = texts =>
        {
            long words = texts.Sum(t => ScriptedChatClient.Words(t).Length);
            return new UsageDetails { InputTokenCount = words, TotalTokenCount = words };
        },
    };

    public async Task InitializeAsync()
    {
        _server = OpenAiServer.Create(new ReverseChatClient(), HashingEmbedder(), new ServerOptions { Port = 0, ApiKey = Key, ModelName = "reverse" });
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ProviderOptions Options(string? baseUrl = null, int retries = 3) => new()
    {
        Kind = "openai",
        BaseUrl = baseUrl ?? _server.BaseUrl,
        ApiKeyEnv = KeyVariable,
        Model = "reverse",
        EmbeddingModel = "hash",
        MaxRetries = retries,
        TimeoutSeconds = 30,
    };

    private static ProviderConnection Connection(string key = Key, HttpMessageHandler? handler = null, ConcurrentQueue<TimeSpan>? delays = null) => new()
    {
        GetEnvironment = name => name == KeyVariable ? key : null,
        Handler = handler,
        Delay = (wait, _) =>
        {
            delays?.Enqueue(wait);
            return Task.CompletedTask; // record the backoff instead of sleeping: tests stay fast and deterministic
        },
        BaseDelay = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public void The_server_binds_to_loopback_only()
    {
        Assert.StartsWith("http://127.0.0.1:", _server.BaseUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_completion_round_trips_with_exact_usage()
    {
        var connection = Connection();
        using var chat = ProviderRegistry.Of("lever", Options(), connection).Chat("lever");
        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "one two three four")]);
        Assert.Equal("four three two one", response.Text);
        Assert.Equal(6, response.Usage!.InputTokenCount); // "be brief" + 4 words
        Assert.Equal(4, response.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var call = Assert.Single(connection.Ledger.Calls);
        Assert.Equal((6L, 4L, 0, "reverse"), (call.InputTokens, call.OutputTokens, call.Retries, call.Model));

        var truncated = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "a b c d e")], new ChatOptions { MaxOutputTokens = 2 });
        Assert.Equal("e d", truncated.Text);
        Assert.Equal(ChatFinishReason.Length, truncated.FinishReason);
    }

    [Fact]
    public async Task Streaming_delivers_chunks_then_usage()
    {
        using var chat = ProviderRegistry.Of("lever", Options(), Connection()).Chat("lever");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "alpha beta gamma")])) updates.Add(u);
        Assert.Equal("gamma beta alpha", string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 3);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.Equal((3L, 3L), (usage.InputTokenCount!.Value, usage.OutputTokenCount!.Value));
    }

    [Fact]
    public async Task Raw_sse_stream_has_data_lines_a_usage_chunk_and_done()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.BaseUrl + "/chat/completions")
        {
            Content = new StringContent("""{"model":"reverse","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x y"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await http.SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("y x", string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(ch => ch.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : "")));
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = chunks[^1].GetProperty("usage");
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal((2, 2, 4), (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32()));
    }

    [Fact]
    public async Task Embeddings_round_trip_bit_exact_with_usage()
    {
        using var embedder = ProviderRegistry.Of("lever", Options(), Connection()).Embeddings("lever")!;
        string[] texts = ["refunds take thirty days", "the app crashes on start"];
        var result = await embedder.GenerateAsync(texts);
        Assert.Equal(2, result.Count);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(HashingEmbedder().Embed(texts[i]), result[i].Vector.ToArray());
        Assert.Equal(9, result.Usage!.InputTokenCount);

        // The float encoding too (the SDK asks for base64).
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await http.PostAsync(_server.BaseUrl + "/embeddings", new StringContent("""{"input":"refunds take thirty days","encoding_format":"float"}""", Encoding.UTF8, "application/json"));
        var floats = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(HashingEmbedder().Embed(texts[0]), floats);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_401_and_a_clear_error_that_never_shows_the_key()
    {
        const string wrong = "sk-wrong-key-999";
        using var chat = ProviderRegistry.Of("lever", Options(), Connection(key: wrong)).Chat("lever");
        var ex = await Assert.ThrowsAsync<LeverUserException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        Assert.Contains("provider 'lever'", ex.Message);
        Assert.Contains("(401)", ex.Message);
        Assert.DoesNotContain(wrong, ex.Message + ex.Hint);

        using var http = new HttpClient();
        using var response = await http.PostAsync(_server.BaseUrl + "/chat/completions", new StringContent("""{"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Bad_requests_get_400_naming_the_field()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var response = await http.PostAsync(_server.BaseUrl + "/chat/completions", new StringContent("""{"messages":[{"role":"robot","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("messages[0].role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invalid UTF-8 in a string")]   // found by bench/fuzz: JsonDocument checks UTF-8 only when a string is read
    [InlineData("a message that is not an object")]
    [InlineData("a stop list with a number")]
    [InlineData("a content part that is a number")]
    public async Task Bodies_that_once_escaped_the_parser_get_400_not_500(string what)
    {
        byte[] body = what switch
        {
            "invalid UTF-8 in a string" => [.. Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":\"h"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}]}")],
            "a message that is not an object" => """{"messages":[42]}"""u8.ToArray(),
            "a stop list with a number" => """{"messages":[{"role":"user","content":"hi"}],"stop":[1]}"""u8.ToArray(),
            _ => """{"messages":[{"role":"user","content":[7]}]}"""u8.ToArray(),
        };
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(_server.BaseUrl + "/chat/completions", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Failures_503_then_429_are_retried_obeying_retry_after_then_succeed()
    {
        var delays = new ConcurrentQueue<TimeSpan>();
        using var handler = new FaultInjectingHandler(FaultInjectingHandler.Status(HttpStatusCode.ServiceUnavailable), FaultInjectingHandler.Status(HttpStatusCode.TooManyRequests, retryAfter: "2"));
        var connection = Connection(handler: handler, delays: delays);
        using var chat = ProviderRegistry.Of("lever", Options(), connection).Chat("lever");
        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "x y z")]);
        Assert.Equal("z y x", response.Text);
        Assert.Equal(3, handler.Requests);
        var waits = delays.ToArray();
        Assert.Equal(2, waits.Length);
        Assert.InRange(waits[0].TotalMilliseconds, 0, 100); // full jitter under the 100 ms first step
        Assert.Equal(TimeSpan.FromSeconds(2), waits[1]); // the server's Retry-After, as given
        Assert.Equal(2, Assert.Single(connection.Ledger.Calls).Retries);
    }

    [Fact]
    public async Task Retries_give_up_with_an_error_naming_provider_url_and_attempts()
    {
        using var handler = new FaultInjectingHandler(Enumerable.Range(0, 5).Select(_ => FaultInjectingHandler.Status(HttpStatusCode.BadGateway)).ToArray());
        using var chat = ProviderRegistry.Of("lever", Options(retries: 2), Connection(handler: handler)).Chat("lever");
        var ex = await Assert.ThrowsAsync<ProviderCallException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));
        Assert.Equal("server", ex.Category);
        Assert.Contains($"provider 'lever' at {_server.BaseUrl}", ex.Message);
        Assert.Contains("after 3 attempts", ex.Message);
        Assert.Contains("HTTP 502", ex.Message);
        Assert.Equal(3, handler.Requests);
    }

    [Fact]
    public async Task An_unreachable_provider_is_named_with_its_base_url()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var url = $"http://127.0.0.1:{port}/v1";
        using var chat = ProviderRegistry.Of("offline", Options(baseUrl: url, retries: 1), Connection()).Chat("offline");
        var ex = await Assert.ThrowsAsync<ProviderCallException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]));
        Assert.Equal("unreachable", ex.Category);
        Assert.Contains($"provider 'offline' at {url} is unreachable after 2 attempts", ex.Message);
    }

    [Fact]
    public async Task An_eval_set_gives_identical_predictions_directly_and_through_the_server()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lever-server-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var setPath = Path.Combine(dir, "set.jsonl");
            await File.WriteAllLinesAsync(setPath, Enumerable.Range(1, 6).Select(i => $"{{\"id\":\"q{i}\",\"input\":\"word{i} and {i} more\",\"expected\":\"more {i} and word{i}\"}}"));
            var set = Lever.Evals.Data.EvalSet.Load(setPath);
            var recipe = new Lever.Evals.Recipes.Recipe { Name = "rev", SystemPrompt = "Reverse the words.", Scoring = new() { Scorers = ["exact"] } };

            var direct = await new EvalRunner(recipe, new RecipeServices { Chat = new ReverseChatClient() }).RunAsync(set, Path.Combine(dir, "direct"));
            using var chat = ProviderRegistry.Of("lever", Options(), Connection()).Chat("lever");
            var served = await new EvalRunner(recipe, new RecipeServices { Chat = chat }).RunAsync(set, Path.Combine(dir, "served"));

            static Dictionary<string, string> Predictions(string runDir) => File.ReadAllLines(Path.Combine(runDir, EvalRunner.ResultsFile))
                .Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("prediction").GetString()!);
            Assert.Equal(Predictions(Path.Combine(dir, "direct")).OrderBy(k => k.Key), Predictions(Path.Combine(dir, "served")).OrderBy(k => k.Key));
            Assert.Equal(6, served.Passed);
            Assert.Equal(direct.InputTokens, served.InputTokens);
            Assert.Equal(direct.OutputTokens, served.OutputTokens);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>A model that always fails, as a provider behind the server can.</summary>
    private static ScriptedChatClient BrokenModel(Exception error) => new(_ => throw error);

    [Theory]
    [InlineData("rate_limit", 429)]
    [InlineData("unreachable", 502)]
    [InlineData(null, 500)]
    public async Task Model_failures_become_openai_errors_with_a_retryable_status(string? category, int status)
    {
        Exception error = category is null ? new InvalidOperationException("boom") : new ProviderCallException(category, "upstream said no");
        await using var server = OpenAiServer.Create(BrokenModel(error), null, new ServerOptions { Port = 0 });
        await server.StartAsync();
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.BaseUrl + "/chat/completions", new StringContent("""{"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(status, (int)response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.StartsWith("the model failed:", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
