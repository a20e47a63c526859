// The JSON Schema subset constrained decoding enforces, compiled to SchemaNode trees. A keyword that would constrain
// the output but is not enforced is refused by name (never silently ignored); annotations that constrain nothing
// (title, description, default, ...) are skipped.
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lever.Core.Constraints.Internal;

internal static class SchemaCompiler
{
    /// <summary>Objects and arrays nest at most this deep in a constrained document.</summary>
    public const int MaxDepth = 20;

    /// <summary>Most properties one object schema may name (seen keys are one 64-bit mask).</summary>
    public const int MaxProperties = 64;

    private static readonly HashSet<string> Annotations = ["title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly"];

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static SchemaNode Compile(JsonElement schema, string path) => Node(schema, path, 0);

    private static SchemaNode Node(JsonElement schema, string path, int depth)
    {
        if (schema.ValueKind == JsonValueKind.True) return SchemaNode.Any;
        if (schema.ValueKind != JsonValueKind.Object)
            throw Unsupported(path, "a schema must be an object (or true)");
        if (depth > MaxDepth) throw Unsupported(path, $"schemas nest at most {MaxDepth} levels");
        foreach (var keyword in schema.EnumerateObject())
            if (!Annotations.Contains(keyword.Name) && keyword.Name is not ("type" or "properties" or "required" or "additionalProperties" or "enum" or "const" or "items" or "minItems" or "maxItems"))
                throw Unsupported(path, $"the keyword '{keyword.Name}' is not supported by constrained decoding",
                    "supported: type, properties, required, additionalProperties, enum, const, items, minItems, maxItems");

        var enumValues = EnumValues(schema, path);
        var types = Types(schema, path);
        var properties = Properties(schema, path, depth);
        var additional = Additional(schema, path);
        var required = Required(schema, path);
        foreach (var name in required)
        {
            var at = Array.FindIndex(properties, p => p.Name == name);
            if (at >= 0) properties[at] = properties[at] with { Required = true };
            else if (!additional)
                throw Unsupported(path + ".required", $"'{name}' is required but not in properties, and additionalProperties is false");
            else properties = [.. properties, new SchemaProperty(name, Key(name), SchemaNode.Any, true)];
        }
        if (properties.Length > MaxProperties) throw Unsupported(path + ".properties", $"at most {MaxProperties} properties per object");
        var minItems = Count(schema, "minItems", path) ?? 0;
        var maxItems = Count(schema, "maxItems", path) ?? int.MaxValue;
        if (minItems > maxItems) throw Unsupported(path, $"minItems {minItems} is above maxItems {maxItems}");
        var node = new SchemaNode
        {
            Types = types,
            Enum = enumValues,
            Properties = properties,
            AdditionalProperties = additional,
            MinItems = minItems,
            MaxItems = maxItems,
        };
        node.Items = schema.TryGetProperty("items", out var items) ? Node(items, path + ".items", depth + 1) : SchemaNode.Any;
        node.Seal();
        return node;
    }

    private static byte[][]? EnumValues(JsonElement schema, string path)
    {
        var hasEnum = schema.TryGetProperty("enum", out var values);
        var hasConst = schema.TryGetProperty("const", out var constant);
        if (hasEnum && hasConst) throw Unsupported(path, "give either enum or const, not both");
        if (hasConst) return [Compact(constant)];
        if (!hasEnum) return null;
        if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            throw Unsupported(path + ".enum", "enum must be a non-empty array of values");
        return values.EnumerateArray().Select(Compact).ToArray();
    }

    private static JsonTypes Types(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("type", out var type)) return JsonTypes.Any;
        var names = type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array when type.GetArrayLength() > 0 => type.EnumerateArray()
                .Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Unsupported(path + ".type", "type names must be strings")).ToArray(),
            _ => throw Unsupported(path + ".type", "type must be a type name or a non-empty array of them"),
        };
        var types = JsonTypes.None;
        foreach (var name in names)
            types |= name switch
            {
                "null" => JsonTypes.Null,
                "boolean" => JsonTypes.Boolean,
                "integer" => JsonTypes.Integer,
                "number" => JsonTypes.Number | JsonTypes.Integer,
                "string" => JsonTypes.String,
                "array" => JsonTypes.Array,
                "object" => JsonTypes.Object,
                _ => throw Unsupported(path + ".type", $"'{name}' is not a JSON Schema type", "use object, array, string, number, integer, boolean or null"),
            };
        return types;
    }

    private static SchemaProperty[] Properties(JsonElement schema, string path, int depth)
    {
        if (!schema.TryGetProperty("properties", out var properties)) return [];
        if (properties.ValueKind != JsonValueKind.Object) throw Unsupported(path + ".properties", "properties must be an object of schemas");
        return properties.EnumerateObject()
            .Select(p => new SchemaProperty(p.Name, Key(p.Name), Node(p.Value, $"{path}.properties.{p.Name}", depth + 1), false))
            .ToArray();
    }

    private static bool Additional(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("additionalProperties", out var additional)) return true;
        return additional.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Object when !additional.EnumerateObject().Any() => true,
            _ => throw Unsupported(path + ".additionalProperties", "only true, false or {} are supported (not a schema for the extra keys)"),
        };
    }

    private static string[] Required(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("required", out var required)) return [];
        if (required.ValueKind != JsonValueKind.Array) throw Unsupported(path + ".required", "required must be an array of property names");
        return required.EnumerateArray()
            .Select(r => r.ValueKind == JsonValueKind.String ? r.GetString()! : throw Unsupported(path + ".required", "required must be an array of property names"))
            .Distinct().ToArray();
    }

    private static int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value)) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0
            ? n : throw Unsupported($"{path}.{keyword}", $"{keyword} must be a non-negative integer");
    }

    /// <summary>The key as it appears between the quotes: JSON-escaped only where JSON demands it.</summary>
    private static byte[] Key(string name) => JsonEncodedText.Encode(name, Encoder).EncodedUtf8Bytes.ToArray();

    private static byte[] Compact(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder, Indented = false })) value.WriteTo(writer);
        return buffer.ToArray();
    }

    private static LeverUserException Unsupported(string path, string message, string? hint = null) =>
        new($"{path}: {message}", hint ?? "simplify the schema to the subset in docs/SERVER.md#structured-output, or use {\"type\":\"json_object\"}");
}
