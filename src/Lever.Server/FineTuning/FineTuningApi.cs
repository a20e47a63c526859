using System.Globalization;
using System.Text.Json;
using Lever.Server.FineTuning.Internal;
using Lever.Server.Internal;
using Microsoft.AspNetCore.Http;

namespace Lever.Server.FineTuning;

/// <summary>
/// OpenAI's files and fine-tuning endpoints over a <see cref="FineTuningService"/>, every one behind the admin scope:
/// POST/GET /v1/files, GET/DELETE /v1/files/{id}, GET /v1/files/{id}/content, POST/GET /v1/fine_tuning/jobs,
/// GET /v1/fine_tuning/jobs/{id}, POST …/cancel, GET …/events and …/checkpoints — in OpenAI's JSON shapes.
/// </summary>
public static class FineTuningApi
{
    /// <summary>Maps the endpoints on <paramref name="server"/> (before it starts).</summary>
    public static void Map(OpenAiServer server, FineTuningService service)
    {
        const ServerScope admin = ServerScope.Admin;
        server.Map("POST", "/v1/files", (HttpContext c) => Upload(c, service), admin);
        server.Map("GET", "/v1/files", (HttpContext c) => ApiErrors.WriteJson(c, 200, w => Page(w, Cursor(c, service.Files(), f => f.Id, 10000), WriteFile)), admin);
        server.Map("GET", "/v1/files/{id}", (HttpContext c, string id) => ApiErrors.WriteJson(c, 200, w => WriteFile(w, service.FileById(id))), admin);
        server.Map("DELETE", "/v1/files/{id}", (HttpContext c, string id) =>
        {
            service.DeleteFile(id);
            return ApiErrors.WriteJson(c, 200, w =>
            {
                w.WriteString("id", id);
                w.WriteString("object", "file");
                w.WriteBoolean("deleted", true);
            });
        }, admin);
        server.Map("GET", "/v1/files/{id}/content", async (HttpContext c, string id) =>
        {
            var file = service.FileById(id);
            c.Response.ContentType = "application/octet-stream";
            await c.Response.SendFileAsync(service.ContentPath(file.Id), c.RequestAborted).ConfigureAwait(false);
        }, admin);

        server.Map("POST", "/v1/fine_tuning/jobs", (HttpContext c) => CreateJob(c, service), admin);
        server.Map("GET", "/v1/fine_tuning/jobs", (HttpContext c) => ApiErrors.WriteJson(c, 200, w => Page(w, Cursor(c, service.Jobs(), j => j.Id, 20), WriteJob)), admin);
        server.Map("GET", "/v1/fine_tuning/jobs/{id}", (HttpContext c, string id) => ApiErrors.WriteJson(c, 200, w => WriteJob(w, service.Job(id))), admin);
        server.Map("POST", "/v1/fine_tuning/jobs/{id}/cancel", (HttpContext c, string id) => ApiErrors.WriteJson(c, 200, w => WriteJob(w, service.Cancel(id, c.Caller()))), admin);
        server.Map("GET", "/v1/fine_tuning/jobs/{id}/events", (HttpContext c, string id) =>
            ApiErrors.WriteJson(c, 200, w => Page(w, Cursor(c, service.Events(id), e => e.Id, 20), WriteEvent)), admin);
        server.Map("GET", "/v1/fine_tuning/jobs/{id}/checkpoints", (HttpContext c, string id) =>
        {
            var job = service.Job(id);
            return ApiErrors.WriteJson(c, 200, w => Page(w, Cursor(c, service.Checkpoints(id), k => k.Id, 10), (w2, k) => WriteCheckpoint(w2, k, job.Id)));
        }, admin);
    }

    private static async Task Upload(HttpContext context, FineTuningService service)
    {
        if (!context.Request.HasFormContentType)
            throw new BadRequestException("send the file as multipart/form-data with fields 'file' and 'purpose'");
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var purpose = form["purpose"].ToString();
        if (purpose.Length == 0) throw new ApiErrorException(400, "'purpose' is required: this server stores files for purpose 'fine-tune'.", "invalid_request_error", null, "purpose");
        if (purpose != "fine-tune")
            throw new ApiErrorException(400, $"purpose '{purpose}' is not supported here: this server stores files for purpose 'fine-tune' only.", "invalid_request_error", null, "purpose");
        var file = form.Files.GetFile("file") ?? throw new ApiErrorException(400, "'file' is required (a JSONL training file).", "invalid_request_error", null, "file");
        var limit = service.Settings.MaxFileBytes;
        if (file.Length > limit)
            throw new ApiErrorException(413, $"The file is {file.Length} bytes, over this server's limit of {limit} bytes (server.fine_tuning.max_file_bytes).", "invalid_request_error", "file_too_large", "file");
        // The client's filename is only reported back; what is stored is named by a fresh server id.
        var filename = Path.GetFileName(file.FileName.Replace('\\', '/'));
        if (filename.Length == 0) filename = "upload.jsonl";
        var temp = service.NewUploadPath();
        await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await file.CopyToAsync(target, context.RequestAborted).ConfigureAwait(false);
            target.Flush(flushToDisk: true);
        }
        StoredFile stored;
        try
        {
            stored = service.AddFile(temp, filename, purpose);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        await ApiErrors.WriteJson(context, 200, w => WriteFile(w, stored)).ConfigureAwait(false);
    }

    private static async Task CreateJob(HttpContext context, FineTuningService service)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var body = doc.RootElement;
        if (body.ValueKind != JsonValueKind.Object) throw new BadRequestException("the body must be a JSON object");
        var model = String(body, "model") ?? throw Invalid("'model' is required", "model");
        if (service.Trainer.ResolveBase(model) is null)
            throw new ApiErrorException(404, $"The model '{model}' cannot be fine-tuned on this server; it can fine-tune: {string.Join(", ", service.Trainer.Bases)}.", "invalid_request_error", "model_not_found", "model");
        var training = String(body, "training_file") ?? throw Invalid("'training_file' is required (the id of an uploaded file)", "training_file");
        CheckFile(service, training, "training_file");
        var validation = String(body, "validation_file");
        if (validation is not null) CheckFile(service, validation, "validation_file");
        var suffix = String(body, "suffix");
        if (suffix is not null && (suffix.Length > 64 || suffix.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))))
            throw Invalid($"suffix '{suffix}' must be at most 64 letters, digits, '-', '_' or '.'", "suffix");
        int? seed = null;
        if (body.TryGetProperty("seed", out var s) && s.ValueKind != JsonValueKind.Null)
            seed = s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var sv) && sv >= 0 ? sv : throw Invalid("seed must be a non-negative integer", "seed");
        Dictionary<string, string>? metadata = null;
        if (body.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.Object || m.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String) || m.EnumerateObject().Count() > 16)
                throw Invalid("metadata must be an object of at most 16 string values", "metadata");
            metadata = m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        var hyper = Hyperparameters(body);
        int? epochs = Auto(hyper, "n_epochs", 1, 50, integer: true) is { } e ? (int)e : null;
        int? batch = Auto(hyper, "batch_size", 1, 256, integer: true) is { } b ? (int)b : null;
        double? multiplier = Auto(hyper, "learning_rate_multiplier", 1e-3, 10, integer: false);
        var job = service.Create(model, training, validation, suffix, seed, metadata, epochs, batch, multiplier, context.Caller(), Method(body));
        await ApiErrors.WriteJson(context, 200, w => WriteJob(w, job)).ConfigureAwait(false);
    }

    /// <summary>method.supervised.hyperparameters (or the older top-level hyperparameters); other methods are refused.</summary>
    private static JsonElement? Hyperparameters(JsonElement body)
    {
        if (body.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.Object)
        {
            var type = String(method, "type") ?? "supervised";
            if (type != "supervised")
                throw Invalid($"method type '{type}' is not supported here: this server runs supervised fine-tuning (type 'supervised'; method.lever.training picks lora, qlora or full)", "method");
            if (method.TryGetProperty("supervised", out var sup) && sup.ValueKind == JsonValueKind.Object && sup.TryGetProperty("hyperparameters", out var h1) && h1.ValueKind == JsonValueKind.Object)
                return h1;
            return null;
        }
        return body.TryGetProperty("hyperparameters", out var h) && h.ValueKind == JsonValueKind.Object ? h : null;
    }

    /// <summary>
    /// method.lever, Lever's extra field: <c>{"training": "lora" | "qlora" | "full", "lora_rank": 1-256}</c>; absent is LoRA
    /// at the trainer's default rank (what OpenAI's supervised jobs map to).
    /// </summary>
    private static FineTuneMethod Method(JsonElement body)
    {
        if (!body.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.Object
            || !method.TryGetProperty("lever", out var lever) || lever.ValueKind == JsonValueKind.Null) return FineTuneMethod.Default;
        if (lever.ValueKind != JsonValueKind.Object) throw Invalid("method.lever must be an object: {\"training\": \"lora\" | \"qlora\" | \"full\", \"lora_rank\": N}", "method.lever");
        foreach (var p in lever.EnumerateObject())
            if (p.Name is not ("training" or "lora_rank"))
                throw Invalid($"method.lever.{p.Name} is not a field this server knows: it takes training and lora_rank", "method.lever");
        var training = FineTuneMethod.Lora;
        if (lever.TryGetProperty("training", out var t) && t.ValueKind != JsonValueKind.Null)
            training = t.ValueKind == JsonValueKind.String && FineTuneMethod.Names.Contains(t.GetString()) ? t.GetString()!
                : throw Invalid($"method.lever.training must be one of {string.Join(", ", FineTuneMethod.Names)}", "method.lever.training");
        int? rank = null;
        if (lever.TryGetProperty("lora_rank", out var r) && r.ValueKind != JsonValueKind.Null)
        {
            if (training == FineTuneMethod.Full) throw Invalid("method.lever.lora_rank applies to lora and qlora, not to full fine-tuning", "method.lever.lora_rank");
            rank = r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var rv) && rv is >= 1 and <= 256 ? rv : throw Invalid("method.lever.lora_rank must be an integer from 1 to 256", "method.lever.lora_rank");
        }
        return new FineTuneMethod(training, rank);
    }

    private static double? Auto(JsonElement? hyper, string name, double min, double max, bool integer)
    {
        if (hyper is not { } h || !h.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && v.GetString() == "auto") return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d >= min && d <= max && (!integer || d == Math.Floor(d))) return d;
        throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{name} must be \"auto\" or {(integer ? "an integer" : "a number")} from {min} to {max}"), name);
    }

    private static void CheckFile(FineTuningService service, string id, string param)
    {
        if (!FineTuningService.IsFileId(id) || !service.Files().Any(f => f.Id == id))
            throw new ApiErrorException(400, $"invalid {param}: '{id}' is not a file on this server (upload it with POST /v1/files, purpose fine-tune).", "invalid_request_error", "invalid_file_id", param);
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ApiErrorException Invalid(string message, string param) => new(400, message, "invalid_request_error", null, param);

    /// <summary>OpenAI's cursor pages: items after the one whose id is <c>after</c>, at most <c>limit</c> (1-100, or up to <paramref name="defaultLimit"/>).</summary>
    private static (IReadOnlyList<T> Items, bool HasMore) Cursor<T>(HttpContext context, IReadOnlyList<T> all, Func<T, string> id, int defaultLimit)
    {
        var query = context.Request.Query;
        int limit = defaultLimit;
        if (query.TryGetValue("limit", out var l) && l.ToString().Length > 0)
        {
            if (!int.TryParse(l.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > Math.Max(100, defaultLimit))
                throw Invalid($"limit must be an integer from 1 to {Math.Max(100, defaultLimit)}", "limit");
        }
        IEnumerable<T> items = all;
        if (query.TryGetValue("order", out var order) && order.ToString() == "asc") items = items.Reverse();
        if (query.TryGetValue("after", out var after) && after.ToString().Length > 0)
        {
            var list = items.ToList();
            var at = list.FindIndex(x => id(x) == after.ToString());
            items = at < 0 ? [] : list.Skip(at + 1);
        }
        var page = items.Take(limit + 1).ToList();
        return (page.Take(limit).ToList(), page.Count > limit);
    }

    private static void Page<T>(Utf8JsonWriter w, (IReadOnlyList<T> Items, bool HasMore) page, Action<Utf8JsonWriter, T> item)
    {
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var x in page.Items)
        {
            w.WriteStartObject();
            item(w, x);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("has_more", page.HasMore);
    }

    private static void WriteFile(Utf8JsonWriter w, StoredFile f)
    {
        w.WriteString("id", f.Id);
        w.WriteString("object", "file");
        w.WriteNumber("bytes", f.Bytes);
        w.WriteNumber("created_at", f.CreatedAt);
        w.WriteString("filename", f.Filename);
        w.WriteString("purpose", f.Purpose);
        w.WriteString("status", "processed");
        w.WriteNull("status_details");
        w.WriteNull("expires_at");
    }

    private static void WriteJob(Utf8JsonWriter w, JobRecord j)
    {
        w.WriteString("id", j.Id);
        w.WriteString("object", "fine_tuning.job");
        w.WriteNumber("created_at", j.CreatedAt);
        if (j.Error is { } e)
        {
            w.WriteStartObject("error");
            w.WriteString("code", e.Code);
            w.WriteString("message", e.Message);
            if (e.Param is null) w.WriteNull("param");
            else w.WriteString("param", e.Param);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("error");
        }
        if (j.Status == FineTuningStatus.Succeeded) w.WriteString("fine_tuned_model", j.PlannedModel);
        else w.WriteNull("fine_tuned_model");
        if (j.FinishedAt is { } f) w.WriteNumber("finished_at", f);
        else w.WriteNull("finished_at");
        w.WriteStartObject("hyperparameters");
        WriteHyper(w, j);
        w.WriteEndObject();
        w.WriteString("model", j.Model);
        w.WriteString("organization_id", "lever");
        w.WriteStartArray("result_files");
        w.WriteEndArray();
        w.WriteNumber("seed", j.Seed);
        w.WriteString("status", j.Status);
        if (j.TrainedTokens is { } t) w.WriteNumber("trained_tokens", t);
        else w.WriteNull("trained_tokens");
        w.WriteString("training_file", j.TrainingFile);
        if (j.ValidationFile is null) w.WriteNull("validation_file");
        else w.WriteString("validation_file", j.ValidationFile);
        w.WriteNull("estimated_finish");
        w.WriteNull("integrations");
        if (j.Suffix is null) w.WriteNull("user_provided_suffix");
        else w.WriteString("user_provided_suffix", j.Suffix);
        if (j.Metadata is null)
        {
            w.WriteNull("metadata");
        }
        else
        {
            w.WriteStartObject("metadata");
            foreach (var (k, v) in j.Metadata) w.WriteString(k, v);
            w.WriteEndObject();
        }
        w.WriteStartObject("method");
        w.WriteString("type", "supervised");
        w.WriteStartObject("supervised");
        w.WriteStartObject("hyperparameters");
        WriteHyper(w, j);
        w.WriteEndObject();
        w.WriteEndObject();
        var method = j.Method ?? FineTuneMethod.Default;
        w.WriteStartObject("lever");
        w.WriteString("training", method.Training);
        if (method.LoraRank is { } rank) w.WriteNumber("lora_rank", rank);
        else if (!method.IsFull) w.WriteString("lora_rank", "auto");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The resolved values once the files are validated; until then what was asked ("auto" where nothing was).</summary>
    private static void WriteHyper(Utf8JsonWriter w, JobRecord j)
    {
        if ((j.BatchSize ?? j.RequestedBatchSize) is { } b) w.WriteNumber("batch_size", b);
        else w.WriteString("batch_size", "auto");
        if ((j.LearningRateMultiplier ?? j.RequestedLearningRateMultiplier) is { } m) w.WriteNumber("learning_rate_multiplier", m);
        else w.WriteString("learning_rate_multiplier", "auto");
        if ((j.Epochs ?? j.RequestedEpochs) is { } n) w.WriteNumber("n_epochs", n);
        else w.WriteString("n_epochs", "auto");
    }

    private static void WriteEvent(Utf8JsonWriter w, JobEvent e)
    {
        w.WriteString("id", e.Id);
        w.WriteString("object", "fine_tuning.job.event");
        w.WriteNumber("created_at", e.CreatedAt);
        w.WriteString("level", e.Level);
        w.WriteString("message", e.Message);
        w.WriteString("type", e.Type);
        if (e.Data is null)
        {
            w.WriteStartObject("data");
            w.WriteEndObject();
        }
        else
        {
            w.WritePropertyName("data");
            e.Data.WriteTo(w);
        }
    }

    private static void WriteCheckpoint(Utf8JsonWriter w, JobCheckpoint k, string jobId)
    {
        w.WriteString("id", k.Id);
        w.WriteString("object", "fine_tuning.job.checkpoint");
        w.WriteNumber("created_at", k.CreatedAt);
        w.WriteString("fine_tuned_model_checkpoint", k.FineTunedModelCheckpoint);
        w.WriteString("fine_tuning_job_id", jobId);
        w.WriteNumber("step_number", k.StepNumber);
        w.WriteStartObject("metrics");
        w.WriteNumber("step", k.StepNumber);
        w.WriteNumber("train_loss", k.TrainLoss);
        if (k.ValidLoss is { } v)
        {
            w.WriteNumber("valid_loss", v);
            w.WriteNumber("full_valid_loss", v);
        }
        w.WriteEndObject();
    }
}
