using System.Text.Json;

namespace Lever.Testing;

/// <summary>
/// An independent checker of the JSON Schema subset constrained decoding supports (type, properties, required,
/// additionalProperties, enum, const, items, minItems, maxItems): the tests validate generated documents with it.
/// </summary>
public static class SchemaCheck
{
    /// <summary>What is wrong with <paramref name="value"/> for <paramref name="schema"/> (empty when it matches).</summary>
    public static List<string> Violations(JsonElement value, JsonElement schema, string path = "$")
    {
        var errors = new List<string>();
        if (schema.ValueKind == JsonValueKind.True) return errors;
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(value, constant)) errors.Add($"{path}: not the const");
        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value))) errors.Add($"{path}: not in the enum");
        if (schema.TryGetProperty("type", out var type))
        {
            var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!names.Any(n => Is(value, n))) errors.Add($"{path}: {value.ValueKind} is not {string.Join("|", names)}");
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            var props = schema.TryGetProperty("properties", out var p) ? p : default;
            foreach (var name in schema.TryGetProperty("required", out var req) ? req.EnumerateArray().Select(r => r.GetString()!) : [])
                if (!value.TryGetProperty(name, out _)) errors.Add($"{path}: required '{name}' missing");
            foreach (var member in value.EnumerateObject())
            {
                if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(member.Name, out var sub)) errors.AddRange(Violations(member.Value, sub, $"{path}.{member.Name}"));
                else if (schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False) errors.Add($"{path}: extra key '{member.Name}'");
            }
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            var n = value.GetArrayLength();
            if (schema.TryGetProperty("minItems", out var min) && n < min.GetInt32()) errors.Add($"{path}: {n} items < minItems");
            if (schema.TryGetProperty("maxItems", out var max) && n > max.GetInt32()) errors.Add($"{path}: {n} items > maxItems");
            if (schema.TryGetProperty("items", out var items))
                errors.AddRange(value.EnumerateArray().SelectMany((v, i) => Violations(v, items, $"{path}[{i}]")));
        }
        return errors;
    }

    private static bool Is(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _) && !value.GetRawText().Contains('.') && !value.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };
}
