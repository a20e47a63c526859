// OpenAI's response_format on a chat request, read into Microsoft.Extensions.AI's ChatResponseFormat so every served
// IChatClient sees it. A json_schema is compiled here once: a keyword the local backends could not enforce is a 400
// naming it, before any model runs, whatever backend serves the model (docs/SERVER.md#structured-output).
using System.Text.Json;
using Lever.Core;
using Lever.Core.Constraints;
using Microsoft.Extensions.AI;

namespace Lever.Server.Internal;

internal static class ResponseFormatField
{
    private const string Field = "response_format";

    /// <summary>The request's format, or null when it has none.</summary>
    public static ChatResponseFormat? Parse(JsonElement body)
    {
        if (!body.TryGetProperty(Field, out var format) || format.ValueKind == JsonValueKind.Null) return null;
        if (format.ValueKind != JsonValueKind.Object) throw Bad($"{Field} must be an object such as {{\"type\":\"json_object\"}}");
        var type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
            : throw Bad($"{Field}.type is missing: use \"text\", \"json_object\" or \"json_schema\"");
        return type switch
        {
            "text" => ChatResponseFormat.Text,
            "json_object" => ChatResponseFormat.Json,
            "json_schema" => Schema(format),
            _ => throw Bad($"{Field}.type '{type}' is not supported: use \"text\", \"json_object\" or \"json_schema\""),
        };
    }

    private static ChatResponseFormat Schema(JsonElement format)
    {
        if (!format.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object)
            throw Bad($"{Field}.json_schema must be an object with a name and a schema");
        var name = spec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } s ? s
            : throw Bad($"{Field}.json_schema.name must be a non-empty string");
        if (!spec.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
            throw Bad($"{Field}.json_schema.schema must be a JSON Schema object");
        if (spec.TryGetProperty("strict", out var strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            throw Bad($"{Field}.json_schema.strict must be true or false");
        var description = spec.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        try
        {
            JsonFormat.FromSchema(schema, name, $"{Field}.json_schema.schema");
        }
        catch (LeverUserException ex)
        {
            throw Bad(ex.Hint is null ? ex.Message : $"{ex.Message} ({ex.Hint})");
        }
        return ChatResponseFormat.ForJsonSchema(schema.Clone(), name, description);
    }

    private static ApiErrorException Bad(string message) => new(400, message, "invalid_request_error", null, Field);
}
