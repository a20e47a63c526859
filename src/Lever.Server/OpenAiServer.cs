using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lever.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lever.Server;

/// <summary>
/// An OpenAI-compatible HTTP API over any <see cref="IChatClient"/> and embedding generator: POST
/// /v1/chat/completions (JSON or server-sent-event streaming with a final usage chunk and [DONE]), POST
/// /v1/embeddings (float or base64) and GET /v1/models, behind a bearer token. Any OpenAI client — including
/// Lever's own provider layer — can then use a local model as if it were hosted.
/// </summary>
public sealed class OpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenAiServer(WebApplication app) => _app = app;

    /// <summary>The base URL clients use, e.g. http://127.0.0.1:8080/v1 (known after <see cref="StartAsync"/>).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Builds the server; nothing listens until <see cref="StartAsync"/>.</summary>
    public static OpenAiServer Create(IChatClient chat, IEmbeddingGenerator<string, Embedding<float>>? embeddings, ServerOptions options, ILoggerProvider? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null) builder.Logging.AddProvider(logging);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var server = new OpenAiServer(app);

        app.Use(async (context, next) =>
        {
            if (options.ApiKey is { } key && !Authorized(context.Request, key))
            {
                await Error(context, 401, "Incorrect or missing API key: send it as 'Authorization: Bearer <key>'.", "invalid_request_error", "invalid_api_key").ConfigureAwait(false);
                return;
            }
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadRequestException ex)
            {
                await Error(context, 400, ex.Message, "invalid_request_error", null).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                await Error(context, 400, $"the body is not valid JSON: {ex.Message}", "invalid_request_error", null).ConfigureAwait(false);
            }
            catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
            {
                // The model behind the server failed. Say so in the protocol's terms, with a status a client's retry
                // policy understands: an upstream rate limit stays a 429, an upstream outage is a 502, a timeout a 504.
                var (status, type) = ex is Lever.Providers.ProviderCallException p ? p.Category switch
                {
                    "rate_limit" => (429, "rate_limit_error"),
                    "timeout" => (504, "server_error"),
                    _ => (502, "server_error"),
                } : (500, "server_error");
                await Error(context, status, $"the model failed: {ex.Message}", type, null).ConfigureAwait(false);
            }
        });
        app.MapGet("/v1/models", (HttpContext context) => WriteJson(context, 200, w =>
        {
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var id in new[] { options.ModelName }.Concat(embeddings is null ? [] : [options.EmbeddingModelName]))
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("object", "model");
                w.WriteNumber("created", 0);
                w.WriteString("owned_by", "lever");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
        app.MapPost("/v1/chat/completions", (HttpContext context) => Chat(context, chat, options));
        app.MapPost("/v1/embeddings", (HttpContext context) => embeddings is null
            ? Error(context, 404, "this server has no embedding model", "invalid_request_error", "model_not_found")
            : Embed(context, embeddings, options));
        return server;
    }

    /// <summary>Starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/') + "/v1";
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires, then stops gracefully.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static bool Authorized(HttpRequest request, string key)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        // Constant time: the comparison must not tell an attacker how much of the key was right.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), Encoding.UTF8.GetBytes(key));
    }

    private static async Task Chat(HttpContext context, IChatClient chat, ServerOptions options)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var request = ChatRequest.Parse(doc.RootElement);
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = request.Model ?? options.ModelName;
        if (!request.Stream)
        {
            var response = await chat.GetResponseAsync(request.Messages, request.Options, context.RequestAborted).ConfigureAwait(false);
            await WriteJson(context, 200, w =>
            {
                w.WriteString("id", id);
                w.WriteString("object", "chat.completion");
                w.WriteNumber("created", created);
                w.WriteString("model", model);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", response.Text);
                w.WriteEndObject();
                w.WriteString("finish_reason", FinishReason(response.FinishReason));
                w.WriteEndObject();
                w.WriteEndArray();
                WriteUsage(w, response.Usage);
            }).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        bool first = true;
        await foreach (var update in chat.GetStreamingResponseAsync(request.Messages, request.Options, context.RequestAborted).ConfigureAwait(false))
        {
            foreach (var u in update.Contents.OfType<UsageContent>())
            {
                usage ??= new UsageDetails();
                usage.Add(u.Details);
            }
            finish = update.FinishReason ?? finish;
            var text = update.Text;
            if (text.Length == 0 && !first) continue;
            await Sse(context, Chunk(id, created, model, first ? "assistant" : null, text, null, null)).ConfigureAwait(false);
            first = false;
        }
        await Sse(context, Chunk(id, created, model, first ? "assistant" : null, null, FinishReason(finish), null)).ConfigureAwait(false);
        if (request.IncludeUsage) await Sse(context, Chunk(id, created, model, null, null, null, usage ?? new UsageDetails())).ConfigureAwait(false);
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static string Chunk(string id, long created, string model, string? role, string? content, string? finish, UsageDetails? usage)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "chat.completion.chunk");
            w.WriteNumber("created", created);
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            if (usage is null)
            {
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                if (role is not null) w.WriteString("role", role);
                if (content is not null) w.WriteString("content", content);
                w.WriteEndObject();
                if (finish is null) w.WriteNull("finish_reason");
                else w.WriteString("finish_reason", finish);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (usage is not null) WriteUsage(w, usage);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task Sse(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteUsage(Utf8JsonWriter w, UsageDetails? usage)
    {
        long input = usage?.InputTokenCount ?? 0, output = usage?.OutputTokenCount ?? 0;
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", input);
        w.WriteNumber("completion_tokens", output);
        w.WriteNumber("total_tokens", usage?.TotalTokenCount ?? input + output);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", usage?.CachedInputTokenCount ?? 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string FinishReason(ChatFinishReason? reason) => reason == ChatFinishReason.Length ? "length" : "stop";

    private static async Task Embed(HttpContext context, IEmbeddingGenerator<string, Embedding<float>> embeddings, ServerOptions options)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var body = doc.RootElement;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("input", out var input)) throw new BadRequestException("'input' is required");
        List<string> inputs = input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => input.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => throw new BadRequestException("'input' must be a string or an array of strings (token arrays are not supported)"),
        };
        if (inputs.Count == 0) throw new BadRequestException("'input' is empty");
        var base64 = body.TryGetProperty("encoding_format", out var ef) && ef.GetString() == "base64";
        var result = await embeddings.GenerateAsync(inputs, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : options.EmbeddingModelName;
        await WriteJson(context, 200, w =>
        {
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (int i = 0; i < result.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", i);
                var vector = result[i].Vector.Span;
                if (base64)
                {
                    // The OpenAI format: little-endian float32 bytes, base64-encoded.
                    w.WriteBase64String("embedding", System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector));
                }
                else
                {
                    w.WriteStartArray("embedding");
                    foreach (var x in vector) w.WriteNumberValue(x);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("model", model);
            long tokens = result.Usage?.InputTokenCount ?? 0;
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", tokens);
            w.WriteNumber("total_tokens", result.Usage?.TotalTokenCount ?? tokens);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task WriteJson(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static Task Error(HttpContext context, int status, string message, string type, string? code) => WriteJson(context, status, w =>
    {
        w.WriteStartObject("error");
        w.WriteString("message", message);
        w.WriteString("type", type);
        if (code is null) w.WriteNull("code");
        else w.WriteString("code", code);
        w.WriteEndObject();
    });
}
