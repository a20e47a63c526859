using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Lever.Testing;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that sees the raw requests (turns, Authorization header,
/// concurrency). It answers the last user turn with a planted rule (the <c>answer</c> function; default: echo it) and
/// returns usage computed from the request (<see cref="Usage"/>), so a test can derive the expected accuracy and cost
/// without trusting the code under test. <see cref="Status"/> other than 200 answers every call with that HTTP error
/// (401: a refused key). A child process (the lever CLI) can call it; for an in-process model behind the real protocol,
/// serve a <see cref="ScriptedChatClient"/> with Lever.Server's OpenAiServer instead.
/// </summary>
public sealed class FakeOpenAiServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, string> _answer;
    private int _inFlight, _maxInFlight;

    /// <summary>Starts listening on a free loopback port.</summary>
    public FakeOpenAiServer(int status = 200, Func<string, string>? answer = null)
    {
        Status = status;
        _answer = answer ?? (static lastUser => lastUser);
        // A free port: bind 0, read it, release it (HttpListener cannot bind port 0 itself).
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{port}/v1";
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The OpenAI base URL, ending in /v1.</summary>
    public string BaseUrl { get; }

    /// <summary>HTTP status of every answer (200: classify).</summary>
    public int Status { get; set; }

    /// <summary>Leaves usage out of the responses (some OpenAI-compatible servers do).</summary>
    public bool OmitUsage { get; set; }

    /// <summary>After this many classifications every call answers 500 (a provider going down mid-run); null: never.</summary>
    public int? FailAfter { get; set; }

    /// <summary>Every classification request seen: the number of messages, the last user turn, the usage returned, the Authorization header.</summary>
    public List<(int Messages, string LastUser, long Prompt, long Cached, long Completion, string? Auth)> Calls { get; } = [];

    /// <summary>Every classification request's turns (role, text), in arrival order.</summary>
    public List<IReadOnlyList<(string Role, string Text)>> Conversations { get; } = [];

    /// <summary>Most requests in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Deterministic usage of one request: a token per 4 characters of all turns; the system turn counts as a cache read; 2 output tokens.</summary>
    public static (long Prompt, long Cached, long Completion) Usage(IReadOnlyList<(string Role, string Text)> messages)
    {
        long prompt = messages.Sum(m => (m.Text.Length + 3) / 4);
        long cached = messages.Where(m => m.Role == "system").Sum(m => (m.Text.Length + 3) / 4);
        return (prompt, cached, 2);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            // Read the whole request first (a refusal too): a client still sending its body would see a reset.
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = await reader.ReadToEndAsync();
            string reply;
            bool down;
            lock (Calls) down = FailAfter is { } n && Calls.Count >= n;
            if (Status != 200 || down || !context.Request.Url!.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                context.Response.StatusCode = Status != 200 ? Status : down ? 500 : 404;
                reply = """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""";
            }
            else
            {
                var body = JsonNode.Parse(request)!.AsObject();
                var messages = body["messages"]!.AsArray().Select(m => ((string)m!["role"]!, Text(m!["content"]))).ToList();
                var lastUser = messages.Last(m => m.Item1 == "user").Item2;
                var (prompt, cached, completion) = Usage(messages);
                lock (Calls)
                {
                    Calls.Add((messages.Count, lastUser, prompt, cached, completion, context.Request.Headers["Authorization"]));
                    Conversations.Add(messages);
                }
                // A little server time, so concurrent requests overlap.
                await Task.Delay(5);
                var answer = _answer(lastUser);
                reply = new JsonObject
                {
                    ["id"] = "chatcmpl-test", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = (string?)body["model"],
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0, ["finish_reason"] = "stop",
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer },
                    }),
                    ["usage"] = OmitUsage ? null : new JsonObject
                    {
                        ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion,
                        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = cached },
                    },
                }.ToJsonString();
                context.Response.StatusCode = 200;
            }
            var bytes = Encoding.UTF8.GetBytes(reply);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // Content is a string, or a list of parts ({"type":"text","text":…}) as some SDKs send it.
    private static string Text(JsonNode? content) => content switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? "")),
        _ => "",
    };

    /// <summary>Stops listening and waits for the accept loop to end.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
