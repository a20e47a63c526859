using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Lever.Server.Internal;

/// <summary>An OpenAI chat-completions request, read field by field so an unsupported shape gets a 400 that says which field.</summary>
internal sealed record ChatRequest(string? Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage)
{
    public static ChatRequest Parse(JsonElement body)
    {
        try
        {
            return ParseFields(body);
        }
        catch (InvalidOperationException ex)
        {
            // JsonElement's accessors throw this on a value of another kind than the field's check foresaw, and on a
            // string that is not valid UTF-8 (JsonDocument checks UTF-8 only when a string is read): the client's fault.
            throw new BadRequestException($"the body has a value that cannot be read: {ex.Message}");
        }
    }

    private static ChatRequest ParseFields(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new BadRequestException("the body must be a JSON object");
        if (!body.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array || msgs.GetArrayLength() == 0)
            throw new BadRequestException("'messages' must be a non-empty array");
        var messages = new List<ChatMessage>();
        int i = 0;
        foreach (var m in msgs.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new BadRequestException($"messages[{i}] must be an object with role and content");
            var role = m.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : throw new BadRequestException($"messages[{i}].role is missing");
            var content = m.TryGetProperty("content", out var c) ? Text(c, i) : "";
            messages.Add(new ChatMessage(role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                _ => throw new BadRequestException($"messages[{i}].role '{role}' is not supported"),
            }, content));
            i++;
        }
        var options = new ChatOptions();
        if (Number(body, "temperature") is { } t) options.Temperature = (float)t;
        if (Number(body, "top_p") is { } p) options.TopP = (float)p;
        if ((Number(body, "max_completion_tokens") ?? Number(body, "max_tokens")) is { } n)
            options.MaxOutputTokens = n is >= 0 and <= int.MaxValue ? (int)n : throw new BadRequestException($"max_tokens {n} is not a token count");
        if (Number(body, "seed") is { } s) options.Seed = (long)s;
        if (Number(body, "frequency_penalty") is { } fp) options.FrequencyPenalty = (float)fp;
        if (Number(body, "presence_penalty") is { } pp) options.PresencePenalty = (float)pp;
        if (body.TryGetProperty("stop", out var stop))
        {
            options.StopSequences = stop.ValueKind switch
            {
                JsonValueKind.String => [stop.GetString()!],
                JsonValueKind.Array => stop.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new BadRequestException("'stop' must be a string or an array of strings")).ToList(),
                _ => null,
            };
        }
        options.ResponseFormat = ResponseFormatField.Parse(body);
        string? model = body.TryGetProperty("model", out var mo) && mo.ValueKind == JsonValueKind.String ? mo.GetString() : null;
        bool stream = body.TryGetProperty("stream", out var st) && st.ValueKind == JsonValueKind.True;
        bool usage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        return new ChatRequest(model, messages, options, stream, usage);
    }

    private static string Text(JsonElement content, int i) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Null => "",
        // Content parts: concatenate the text parts; images and audio are not something a local text model reads.
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part =>
            part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var ty) && ty.ValueKind == JsonValueKind.String && ty.GetString() == "text"
                && part.TryGetProperty("text", out var tx) && tx.ValueKind == JsonValueKind.String ? tx.GetString()
            : throw new BadRequestException($"messages[{i}].content: only text parts are supported"))),
        _ => throw new BadRequestException($"messages[{i}].content must be a string or an array of text parts"),
    };

    private static double? Number(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
