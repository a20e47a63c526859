using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Lever.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lever.Server;

/// <summary>
/// An OpenAI-compatible HTTP API over served models (<see cref="ServedModel"/>: a provider's chat client, or a recipe
/// composed outside) and an embedding generator: POST /v1/chat/completions (JSON or server-sent-event streaming with a
/// final usage chunk and [DONE]), POST /v1/embeddings (float or base64), GET /v1/models and admin endpoints under
/// /v1/admin/. Every request is authenticated to a <see cref="ServerIdentity"/>, checked for its scope, rate-limited
/// per identity and held to <see cref="ServerLimits"/>; refusals are OpenAI-style errors (401, 403, 404, 408, 413, 429).
/// </summary>
public sealed class OpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerLimits _limits;
    private readonly ModelCatalogue _catalogue;
    private readonly ServerOptions _options;
    private bool _started;

    private OpenAiServer(WebApplication app, ServerLimits limits, ModelCatalogue catalogue, ServerOptions options)
    {
        _app = app;
        _limits = limits;
        _catalogue = catalogue;
        _options = options;
    }

    /// <summary>The base URL clients use, e.g. http://127.0.0.1:8080/v1 (known after <see cref="StartAsync"/>).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Builds a server of one model, <see cref="ServerOptions.ModelName"/>, answered by <paramref name="chat"/>; nothing listens until <see cref="StartAsync"/>.</summary>
    public static OpenAiServer Create(IChatClient chat, IEmbeddingGenerator<string, Embedding<float>>? embeddings, ServerOptions options, ILoggerProvider? logging = null) =>
        Create(new ModelCatalogue([ServedModel.Of(options.ModelName ?? UnnamedModel, chat)], anyId: options.ModelName is null), embeddings, options, logging);

    /// <summary>Builds a server of <paramref name="models"/> (the first answers requests that name no model; any other id is 404); nothing listens until <see cref="StartAsync"/>.</summary>
    public static OpenAiServer Create(IReadOnlyList<ServedModel> models, IEmbeddingGenerator<string, Embedding<float>>? embeddings, ServerOptions options, ILoggerProvider? logging = null) =>
        Create(new ModelCatalogue(models, anyId: false, options.MoreModels), embeddings, options, logging);

    private const string UnnamedModel = "lever-local";
    private const string UnnamedEmbeddingModel = "lever-embed";

    private static OpenAiServer Create(ModelCatalogue catalogue, IEmbeddingGenerator<string, Embedding<float>>? embeddings, ServerOptions options, ILoggerProvider? logging)
    {
        var limits = options.Limits;
        var keyring = Keyring(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null) builder.Logging.AddProvider(logging);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Kestrel's own cap sits above the limit: the server refuses at the limit itself and drains up to the cap, so
            // a client that is still sending reads its 413 (past the cap the connection is closed).
            kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes + DrainBytes;
            var grace = TimeSpan.FromSeconds(limits.SlowClientGraceSeconds);
            kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBytesPerSecond > 0 ? new MinDataRate(limits.MinRequestBytesPerSecond, grace) : null;
            kestrel.Limits.MinResponseDataRate = limits.MinResponseBytesPerSecond > 0 ? new MinDataRate(limits.MinResponseBytesPerSecond, grace) : null;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(limits.ShutdownTimeoutSeconds));
        builder.Services.AddRateLimiter(rate => RateLimits.Configure(rate, limits));
        var app = builder.Build();
        var server = new OpenAiServer(app, limits, catalogue, options);

        app.Use((context, next) => Guarded(context, next, options));
        app.Use(async (context, next) =>
        {
            var caller = keyring.IsEmpty ? ServerIdentity.Anonymous : Bearer(context.Request) is { } key ? keyring.Authenticate(key) : null;
            if (caller is null)
            {
                await ApiErrors.Write(context, 401, "Incorrect or missing API key: send it as 'Authorization: Bearer <key>'.", "invalid_request_error", "invalid_api_key", null).ConfigureAwait(false);
                return;
            }
            context.Items[RequiredScope.CallerKey] = caller;
            await next(context).ConfigureAwait(false);
        });
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is { } required && !context.Caller().Has(required.Scope))
                throw ApiErrorException.MissingScope(context.Caller(), required.Scope, $"{context.Request.Method} {context.Request.Path}");
            await next(context).ConfigureAwait(false);
        });
        app.UseRateLimiter();

        app.MapGet("/v1/models", (HttpContext context) => ApiErrors.WriteJson(context, 200, w =>
        {
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            var listed = catalogue.Models.Select(m => (m.Id, m.Root, m.Parent))
                .Concat(embeddings is null ? [] : [(options.EmbeddingModelName ?? UnnamedEmbeddingModel, null, null)]);
            foreach (var (id, root, parent) in listed)
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("object", "model");
                w.WriteNumber("created", 0);
                w.WriteString("owned_by", "lever");
                // vLLM's fields: root is where the weights come from, parent the base an adapter runs on (null for a base).
                w.WriteString("root", root ?? id);
                if (parent is null) w.WriteNull("parent");
                else w.WriteString("parent", parent);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
        app.MapPost("/v1/chat/completions", (HttpContext context) => Chat(context, catalogue, limits)).RequireScope(ServerScope.Chat);
        app.MapPost("/v1/embeddings", (HttpContext context) => embeddings is null
            ? ApiErrors.Write(context, 404, "this server has no embedding model", "invalid_request_error", "model_not_found", "model")
            : Embed(context, embeddings, options)).RequireScope(ServerScope.Embeddings);
        // vLLM's runtime LoRA endpoints (same paths and bodies), behind the admin scope.
        app.MapPost("/v1/load_lora_adapter", (HttpContext context) => server.LoadAdapterEndpoint(context)).RequireScope(ServerScope.Admin);
        app.MapPost("/v1/unload_lora_adapter", (HttpContext context) => server.UnloadAdapterEndpoint(context)).RequireScope(ServerScope.Admin);
        server.MapAdmin("GET", "identities", (HttpContext context) => ApiErrors.WriteJson(context, 200, w =>
        {
            // Ids, users, groups and scopes — what an operator audits. Keys and their hashes never leave the keyring.
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var identity in keyring.Identities)
            {
                w.WriteStartObject();
                w.WriteString("id", identity.Id);
                if (identity.User is null) w.WriteNull("user");
                else w.WriteString("user", identity.User);
                w.WriteStartArray("groups");
                foreach (var g in identity.Groups) w.WriteStringValue(g);
                w.WriteEndArray();
                w.WriteStartArray("scopes");
                foreach (var s in identity.Scopes) w.WriteStringValue(ServerIdentity.Name(s));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
        return server;
    }

    /// <summary>
    /// Maps an admin endpoint at /v1/admin/<paramref name="path"/>: only identities with <see cref="ServerScope.Admin"/>
    /// reach <paramref name="handler"/> (others get 403 naming the scope). Call before <see cref="StartAsync"/>.
    /// </summary>
    public RouteHandlerBuilder MapAdmin(string method, string path, Delegate handler)
    {
        if (_started) throw new InvalidOperationException("map admin endpoints before StartAsync");
        return _app.MapMethods("/v1/admin/" + path.TrimStart('/'), [method], handler).RequireScope(ServerScope.Admin);
    }

    /// <summary>
    /// Maps an endpoint at <paramref name="pattern"/> (e.g. <c>/v1/files/{id}</c>) that only identities holding
    /// <paramref name="scope"/> reach (others get 403 naming it). Call before <see cref="StartAsync"/>.
    /// </summary>
    public RouteHandlerBuilder Map(string method, string pattern, Delegate handler, ServerScope scope)
    {
        if (_started) throw new InvalidOperationException("map endpoints before StartAsync");
        return _app.MapMethods(pattern, [method], handler).RequireScope(scope);
    }

    /// <summary>
    /// Loads the LoRA adapter at <paramref name="path"/> on the served base as model id <paramref name="name"/>, servable at
    /// once without a restart — what <c>POST /v1/load_lora_adapter</c> does, and the hook for adapters made while the
    /// server runs (a fine-tuning job that finished). Throws <see cref="Core.LeverUserException"/> when the server has no
    /// adapter base, the name is taken, or the path is not a valid adapter.
    /// </summary>
    public ServedModel LoadAdapter(string name, string path, string who = "-")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var host = _options.Adapters ?? throw new Core.LeverUserException("this server has no adapter base", "start it with lever serve --model BASE to load LoRA adapters");
        if (_catalogue.Find(name) is not null) throw new Core.LeverUserException($"The lora adapter '{name}' has already been loaded.", "unload it first, or pick another lora_name");
        var model = host.Load(name, path);
        if (model.Id != name) throw new InvalidOperationException($"the adapter host served '{name}' as '{model.Id}'");
        if (!_catalogue.TryAdd(model))
        {
            host.Unload(model);
            throw new Core.LeverUserException($"The lora adapter '{name}' has already been loaded.", "unload it first, or pick another lora_name");
        }
        _options.AdapterAudit?.Invoke("adapter_load", name, model.Root ?? path, who);
        return model;
    }

    /// <summary>
    /// Stops serving adapter <paramref name="name"/> (requests already running on it finish); false when no adapter of
    /// that name is served. The base and recipes cannot be unloaded (a user error).
    /// </summary>
    public bool UnloadAdapter(string name, string who = "-")
    {
        var host = _options.Adapters ?? throw new Core.LeverUserException("this server has no adapter base", "start it with lever serve --model BASE to load LoRA adapters");
        var found = _catalogue.Find(name);
        if (found is null) return false;
        if (found.Parent is null) throw new Core.LeverUserException($"'{name}' is not a LoRA adapter of this server", "only adapters (models with a parent in /v1/models) can be unloaded");
        if (_catalogue.Remove(name) is not { } removed) return false;
        host.Unload(removed);
        _options.AdapterAudit?.Invoke("adapter_unload", name, removed.Root, who);
        return true;
    }

    private async Task LoadAdapterEndpoint(HttpContext context)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var name = Field(doc.RootElement, "lora_name");
        var path = Field(doc.RootElement, "lora_path");
        if (name is null || path is null) throw new ApiErrorException(400, "Both 'lora_name' and 'lora_path' must be provided.", "invalid_request_error", null, name is null ? "lora_name" : "lora_path");
        try
        {
            await Task.Run(() => LoadAdapter(name, path, context.Caller().Id), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Core.LeverUserException ex)
        {
            throw new ApiErrorException(400, ex.Hint is null ? ex.Message : $"{ex.Message} ({ex.Hint})", "invalid_request_error", null, "lora_path");
        }
        await PlainText(context, $"Success: LoRA adapter '{name}' added successfully.").ConfigureAwait(false);
    }

    private async Task UnloadAdapterEndpoint(HttpContext context)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var name = Field(doc.RootElement, "lora_name") ?? throw new ApiErrorException(400, "'lora_name' must be provided.", "invalid_request_error", null, "lora_name");
        bool removed;
        try
        {
            removed = UnloadAdapter(name, context.Caller().Id);
        }
        catch (Core.LeverUserException ex)
        {
            throw new ApiErrorException(400, ex.Hint is null ? ex.Message : $"{ex.Message} ({ex.Hint})", "invalid_request_error", null, "lora_name");
        }
        if (!removed) throw new ApiErrorException(404, $"The lora adapter '{name}' cannot be found.", "invalid_request_error", "model_not_found", "lora_name");
        await PlainText(context, $"Success: LoRA adapter '{name}' removed successfully.").ConfigureAwait(false);
    }

    private static string? Field(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    private static async Task PlainText(HttpContext context, string text)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _started = true;
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/') + "/v1";
    }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> fires or the process is asked to stop (Ctrl-C, SIGTERM), then stops
    /// gracefully: no new connection is accepted, and requests in flight finish within <see cref="ServerLimits.ShutdownTimeoutSeconds"/>.
    /// </summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops gracefully: requests in flight get <see cref="ServerLimits.ShutdownTimeoutSeconds"/> to finish.</summary>
    public async Task StopAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(_limits.ShutdownTimeoutSeconds));
        await _app.StopAsync(deadline.Token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);

    private static ServerKeyring Keyring(ServerOptions options)
    {
        var keyring = options.Keyring?.Copy() ?? new ServerKeyring();
        if (options.ApiKey is { Length: > 0 } key)
        {
            if (keyring.Identities.Any(i => i.Id == SingleKeyId))
                throw new ArgumentException($"identity id '{SingleKeyId}' is reserved for the single server key", nameof(options));
            keyring.Add(new ServerIdentity(SingleKeyId, null, [], ServerIdentity.AllScopes), key);
        }
        return keyring;
    }

    /// <summary>The identity of <see cref="ServerOptions.ApiKey"/> (LEVER_SERVER_KEY).</summary>
    public const string SingleKeyId = "server-key";

    private static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var key = header[prefix.Length..].Trim();
        return key.Length == 0 ? null : key;
    }

    /// <summary>The outermost step: the body-size check, every refusal as an OpenAI error, a client that went away, the access log.</summary>
    private static async Task Guarded(HttpContext context, RequestDelegate next, ServerOptions options)
    {
        var limits = options.Limits;
        var watch = Stopwatch.StartNew();
        var outcome = "";
        var body = context.Request.Body;
        try
        {
            // A declared length over the limit is refused before a byte of it is parsed; a chunked body at the byte that crosses it.
            if (context.Request.ContentLength > limits.MaxBodyBytes) throw TooLarge(limits);
            context.Request.Body = new LimitedBodyStream(body, limits.MaxBodyBytes, () => TooLarge(limits));
            await next(context).ConfigureAwait(false);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client closed the connection (a broken stream, a timeout on its side): nobody is left to answer. The
            // model call was cancelled through RequestAborted.
            outcome = " (client went away)";
        }
        catch (Exception ex) when (!context.Response.HasStarted && Refusal(ex, limits) is { } refusal)
        {
            if (refusal.Status == 413) await Drain(body, context.RequestAborted).ConfigureAwait(false);
            await ApiErrors.Write(context, refusal.Status, refusal.Message, refusal.Type, refusal.Code, refusal.Param).ConfigureAwait(false);
        }
        finally
        {
            if (options.AccessLog is { } log)
            {
                // Never the Authorization header, never the query string: a key must not reach a log even when sent wrongly.
                var who = context.Items[RequiredScope.CallerKey] is ServerIdentity caller ? caller.Id : "-";
                log(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {who} {context.Request.Method} {context.Request.Path} {context.Response.StatusCode} {watch.Elapsed.TotalMilliseconds:0}ms{outcome}"));
            }
        }
    }

    /// <summary>Bytes of an oversized body read and dropped so the client gets to read its 413.</summary>
    private const long DrainBytes = 64L * 1024 * 1024;

    private static async Task Drain(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            await body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // Past Kestrel's cap, or the client gave up: the connection closes after the 413.
        }
    }

    private static ApiErrorException TooLarge(ServerLimits limits) =>
        new(413, $"The request body is larger than this server's limit of {limits.MaxBodyBytes} bytes (server.limits.max_body_bytes).", "invalid_request_error", "request_too_large");

    private static (int Status, string Message, string Type, string? Code, string? Param)? Refusal(Exception ex, ServerLimits limits) => ex switch
    {
        ApiErrorException api => (api.Status, api.Message, api.Type, api.Code, api.Param),
        BadRequestException bad => (400, bad.Message, "invalid_request_error", null, null),
        JsonException json => (400, $"the body is not valid JSON: {json.Message}", "invalid_request_error", null, null),
        Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: 413 } => (413, TooLarge(limits).Message, "invalid_request_error", "request_too_large", null),
        Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: 408 } => (408, $"The request body arrived too slowly (under {limits.MinRequestBytesPerSecond} bytes/s after {limits.SlowClientGraceSeconds} s; server.limits.min_request_bytes_per_second).", "invalid_request_error", "request_timeout", null),
        Microsoft.AspNetCore.Http.BadHttpRequestException http => (http.StatusCode, http.Message, "invalid_request_error", null, null),
        OperationCanceledException => null,
        // The model behind the server failed. Say so in the protocol's terms, with a status a client's retry policy
        // understands: an upstream rate limit stays a 429, an upstream outage is a 502, a timeout a 504.
        Lever.Providers.ProviderCallException p => p.Category switch
        {
            "rate_limit" => (429, $"the model failed: {ex.Message}", "rate_limit_error", null, null),
            "timeout" => (504, $"the model failed: {ex.Message}", "server_error", null, null),
            _ => (502, $"the model failed: {ex.Message}", "server_error", null, null),
        },
        _ => (500, $"the model failed: {ex.Message}", "server_error", null, null),
    };

    private static async Task Chat(HttpContext context, ModelCatalogue catalogue, ServerLimits limits)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var request = ChatRequest.Parse(doc.RootElement);
        var served = catalogue.Resolve(request.Model);
        var caller = context.Caller();
        if (served.Cites && !caller.Has(ServerScope.Retrieval))
            throw ApiErrorException.MissingScope(caller, ServerScope.Retrieval, $"model '{served.Id}' (it retrieves from an index)");
        if (request.Options.MaxOutputTokens is int asked && asked > limits.MaxTokens)
            throw new ApiErrorException(400, $"max_tokens is {asked}, over this server's limit of {limits.MaxTokens} (server.limits.max_tokens).", "invalid_request_error", "max_tokens_exceeded", "max_tokens");
        var chat = served.ChatFor(caller);
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = request.Model ?? served.Id;
        if (!request.Stream)
        {
            var response = await chat.GetResponseAsync(request.Messages, request.Options, context.RequestAborted).ConfigureAwait(false);
            await ApiErrors.WriteJson(context, 200, w =>
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
                WriteCitations(w, Citations(response.AdditionalProperties));
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
        try
        {
            await foreach (var update in chat.GetStreamingResponseAsync(request.Messages, request.Options, context.RequestAborted).ConfigureAwait(false))
            {
                foreach (var u in update.Contents.OfType<UsageContent>())
                {
                    usage ??= new UsageDetails();
                    usage.Add(u.Details);
                }
                finish = update.FinishReason ?? finish;
                var text = update.Text;
                var citations = Citations(update.AdditionalProperties);
                if (text.Length == 0 && citations is null && !first) continue;
                await Sse(context, Chunk(id, created, model, first ? "assistant" : null, text, null, null, citations)).ConfigureAwait(false);
                first = false;
            }
        }
        catch (Exception ex) when (context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // The model failed after the stream began: the 200 is sent, so the error goes into the stream (as OpenAI does)
            // and the stream ends without [DONE], which clients read as a failed response.
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                ApiErrors.WriteError(w, $"the model failed mid-stream: {ex.Message}", "server_error", null, null);
                w.WriteEndObject();
            }
            await Sse(context, Encoding.UTF8.GetString(stream.ToArray())).ConfigureAwait(false);
            return;
        }
        await Sse(context, Chunk(id, created, model, first ? "assistant" : null, null, FinishReason(finish), null, null)).ConfigureAwait(false);
        if (request.IncludeUsage) await Sse(context, Chunk(id, created, model, null, null, null, usage ?? new UsageDetails(), null)).ConfigureAwait(false);
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static IReadOnlyList<ServedCitation>? Citations(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(ServedCitation.PropertyName, out var value) ? value as IReadOnlyList<ServedCitation> : null;

    private static void WriteCitations(Utf8JsonWriter w, IReadOnlyList<ServedCitation>? citations)
    {
        if (citations is null) return;
        w.WriteStartArray("citations");
        foreach (var c in citations)
        {
            w.WriteStartObject();
            w.WriteNumber("index", c.Index);
            w.WriteString("document", c.Document);
            w.WriteString("section", c.Section);
            w.WriteStartObject("span");
            w.WriteNumber("start", c.Start);
            w.WriteNumber("end", c.End);
            w.WriteEndObject();
            w.WriteBoolean("cited", c.Cited);
            w.WriteNumber("score", c.Score);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static string Chunk(string id, long created, string model, string? role, string? content, string? finish, UsageDetails? usage, IReadOnlyList<ServedCitation>? citations)
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
                WriteCitations(w, citations);
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
        var named = options.EmbeddingModelName;
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : named ?? UnnamedEmbeddingModel;
        if (named is not null && model != named) throw ApiErrorException.ModelNotFound(model, [named]);
        List<string> inputs = input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => input.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => throw new BadRequestException("'input' must be a string or an array of strings (token arrays are not supported)"),
        };
        if (inputs.Count == 0) throw new BadRequestException("'input' is empty");
        var base64 = body.TryGetProperty("encoding_format", out var ef) && ef.GetString() == "base64";
        var result = await embeddings.GenerateAsync(inputs, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        await ApiErrors.WriteJson(context, 200, w =>
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
}
