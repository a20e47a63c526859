using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Lever.Server.Internal;

/// <summary>JSON bodies the way OpenAI writes them: the response objects and <c>{"error": {message, type, param, code}}</c>.</summary>
internal static class ApiErrors
{
    public static async Task WriteJson(HttpContext context, int status, Action<Utf8JsonWriter> body)
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

    public static Task Write(HttpContext context, int status, string message, string type, string? code, string? param) =>
        WriteJson(context, status, w => WriteError(w, message, type, code, param));

    public static void WriteError(Utf8JsonWriter w, string message, string type, string? code, string? param)
    {
        w.WriteStartObject("error");
        w.WriteString("message", message);
        w.WriteString("type", type);
        if (param is null) w.WriteNull("param");
        else w.WriteString("param", param);
        if (code is null) w.WriteNull("code");
        else w.WriteString("code", code);
        w.WriteEndObject();
    }
}
