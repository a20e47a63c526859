using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Prices;
using Lever.Training.Data;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever train --provider P --data FILE</c>: the same job on any OpenAI-compatible provider that offers fine-tuning
/// (OpenAI's /v1/files and /v1/fine_tuning/jobs; <c>lever serve --fine-tuning</c> is one): the file is checked locally
/// with <c>lever data validate</c>'s rules, uploaded, the job created and followed (status changes and step metrics as
/// progress lines), and the fine-tuned model's name recorded in the registry as a recipe with its lineage and cost.
/// Ctrl-C cancels the job.
/// </summary>
internal static class HostedTraining
{
    /// <summary>What was asked; nulls are the provider's "auto".</summary>
    internal sealed record Request(string Provider, string Data, string? Validation, string? Model, int? Epochs, int? BatchSize, double? LearningRateMultiplier, int? Seed, string? Suffix, string? Register, bool Json);

    public static async Task<int> Run(Request request, CancellationToken ct)
    {
        var ws = Workspace.Open();
        var config = LeverConfig.Load(ws.ConfigPath);
        var providers = Composition.Providers(ws, config);
        var options = providers.Get(request.Provider);
        if (options.Kind != "openai")
            throw new LeverUserException($"provider '{request.Provider}' is kind '{options.Kind}', which has no fine-tuning API", "name an OpenAI-compatible provider (kind: openai), or train locally with --method lora -m MODEL");
        var model = request.Model ?? options.Model ?? throw new LeverUserException($"provider '{request.Provider}' names no model to fine-tune", "pass -m MODEL (a base the provider can fine-tune) or set its model: in lever.yaml");
        foreach (var file in new[] { request.Data, request.Validation }.OfType<string>()) CheckLocally(file);
        var baseUrl = providers.BaseUrl(request.Provider).TrimEnd('/');
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Max(60, options.TimeoutSeconds)) };
        if (options.ApiKeyEnv is { } env)
        {
            var key = Environment.GetEnvironmentVariable(env);
            if (string.IsNullOrEmpty(key)) throw new LeverUserException($"${env} is not set (provider '{request.Provider}', api_key_env)", $"export {env}=<the provider's key>");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        var log = request.Json ? Console.Error : Console.Out;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var trainingId = await Upload(http, baseUrl, request.Data, ct).ConfigureAwait(false);
        log.WriteLine($"uploaded {request.Data} as {trainingId}");
        string? validationId = null;
        if (request.Validation is { } val)
        {
            validationId = await Upload(http, baseUrl, val, ct).ConfigureAwait(false);
            log.WriteLine($"uploaded {val} as {validationId}");
        }
        var hyper = new JsonObject
        {
            ["n_epochs"] = request.Epochs is { } e ? e : "auto",
            ["batch_size"] = request.BatchSize is { } b ? b : "auto",
            ["learning_rate_multiplier"] = request.LearningRateMultiplier is { } m ? m : "auto",
        };
        var body = new JsonObject
        {
            ["model"] = model, ["training_file"] = trainingId, ["validation_file"] = validationId, ["suffix"] = request.Suffix, ["seed"] = request.Seed,
            ["method"] = new JsonObject { ["type"] = "supervised", ["supervised"] = new JsonObject { ["hyperparameters"] = hyper } },
        };
        foreach (var k in body.Where(p => p.Value is null).Select(p => p.Key).ToList()) body.Remove(k);
        var job = await Send(http, HttpMethod.Post, baseUrl + "/fine_tuning/jobs", body.ToJsonString(), ct).ConfigureAwait(false);
        var id = job["id"]!.GetValue<string>();
        log.WriteLine($"job {id} created on '{request.Provider}' ({model}): {job["status"]}");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                await Follow(http, baseUrl, id, seen, log, ct).ConfigureAwait(false);
                job = await Send(http, HttpMethod.Get, $"{baseUrl}/fine_tuning/jobs/{id}", null, ct).ConfigureAwait(false);
                if (job["status"]?.GetValue<string>() is "succeeded" or "failed" or "cancelled") break;
                await Task.Delay(PollInterval, ct).ConfigureAwait(false);
            }
            await Follow(http, baseUrl, id, seen, log, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Send(http, HttpMethod.Post, $"{baseUrl}/fine_tuning/jobs/{id}/cancel", "{}", cancel.Token).ConfigureAwait(false);
            Console.Error.WriteLine($"lever: cancelled job {id} on '{request.Provider}'");
            return 130;
        }

        var status = job["status"]!.GetValue<string>();
        if (status != "succeeded")
        {
            Console.Error.WriteLine($"error: job {id} {status}" + (job["error"]?["message"]?.GetValue<string>() is { } why ? $": {why}" : ""));
            return 1;
        }
        var tuned = job["fine_tuned_model"]!.GetValue<string>();
        long? tokens = job["trained_tokens"]?.GetValueKind() == JsonValueKind.Number ? job["trained_tokens"]!.GetValue<long>() : null;
        var price = PriceBook.For(config).Training(model);
        double? cost = tokens is { } t && price is not null ? t / 1e6 * price.PerMillionTokens : null;
        var reference = RegistryCli.RecordHostedTraining(ws, request.Register ?? tuned, request, model, baseUrl, job, cost, price?.Cite, clock.Elapsed);
        var costText = cost is { } c ? string.Create(CultureInfo.InvariantCulture, $"${c:0.####} ({price!.Cite})") : $"not priced (no training price for '{model}' in the price book)";
        if (request.Json)
        {
            Console.WriteLine(new JsonObject
            {
                ["provider"] = request.Provider, ["job"] = id, ["status"] = status, ["fine_tuned_model"] = tuned, ["base_model"] = model, ["trained_tokens"] = tokens,
                ["cost_usd"] = cost, ["registry"] = reference, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            }.ToJsonString());
        }
        else
        {
            Console.WriteLine($"fine-tuned model: {tuned}");
            Console.WriteLine($"trained tokens: {(tokens is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "not reported")}; cost: {costText}");
            if (reference is not null) Console.WriteLine($"registry: {reference} (a recipe serving {tuned} through provider '{request.Provider}')");
        }
        return 0;
    }

    /// <summary>Seconds between polls of the job (LEVER_FINE_TUNING_POLL_MS overrides, for tests).</summary>
    private static TimeSpan PollInterval =>
        TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("LEVER_FINE_TUNING_POLL_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 2000);

    private static void CheckLocally(string file)
    {
        if (!File.Exists(file)) throw new LeverUserException($"{file}: not found", "pass --data FILE, a JSONL of {\"prompt\",\"completion\"} or {\"messages\"} lines");
        var r = DataValidator.Validate(file);
        if (r.Invalid.Count > 0)
            throw new LeverUserException($"{file}:{r.Invalid[0].Line}: {r.Invalid[0].Reason} ({r.InvalidCount} invalid line{(r.InvalidCount == 1 ? "" : "s")}); nothing was uploaded", $"lever data validate {file} lists them");
        if (r.ValidExamples == 0) throw new LeverUserException($"{file}: no examples; nothing was uploaded", "put one JSON object per line, e.g. {\"prompt\": \"...\", \"completion\": \"...\"}");
    }

    private static async Task<string> Upload(HttpClient http, string baseUrl, string file, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" }, { new ByteArrayContent(await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false)), "file", Path.GetFileName(file) } };
        using var response = await http.PostAsync(baseUrl + "/files", form, ct).ConfigureAwait(false);
        return (await Read(response, "POST /files", ct).ConfigureAwait(false))["id"]!.GetValue<string>();
    }

    /// <summary>Prints the job's new events, oldest first: step metrics as progress lines, the rest as they are.</summary>
    private static async Task Follow(HttpClient http, string baseUrl, string id, HashSet<string> seen, TextWriter log, CancellationToken ct)
    {
        var page = await Send(http, HttpMethod.Get, $"{baseUrl}/fine_tuning/jobs/{id}/events?limit=100", null, ct).ConfigureAwait(false);
        foreach (var e in (page["data"]?.AsArray() ?? []).Reverse())
        {
            if (e?["id"]?.GetValue<string>() is not { } eid || !seen.Add(eid)) continue;
            var data = e["data"];
            if (e["type"]?.GetValue<string>() == "metrics" && data?["step"] is not null)
            {
                var loss = data["train_loss"]?.GetValue<double>();
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {data["step"]}/{data["total_steps"]} loss {loss:F3}") +
                    (data["valid_loss"]?.GetValue<double>() is { } v ? string.Create(CultureInfo.InvariantCulture, $" val {v:F3}") : ""));
            }
            else
            {
                log.WriteLine($"{e["level"]}: {e["message"]}");
            }
        }
    }

    private static async Task<JsonObject> Send(HttpClient http, HttpMethod method, string url, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        return await Read(response, $"{method} {new Uri(url).AbsolutePath}", ct).ConfigureAwait(false);
    }

    private static async Task<JsonObject> Read(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        JsonObject? body = null;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
        }
        if (response.IsSuccessStatusCode && body is not null) return body;
        var message = body?["error"]?["message"]?.GetValue<string>() ?? text[..Math.Min(200, text.Length)];
        throw new LeverUserException($"the provider refused {what}: {(int)response.StatusCode} {message}",
            (int)response.StatusCode == 404 ? "check that the provider offers OpenAI's fine-tuning API (and the model name)" : "fix what the provider names, then run again");
    }
}
