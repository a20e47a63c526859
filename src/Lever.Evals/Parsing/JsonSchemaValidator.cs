using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lever.Evals.Parsing;

/// <summary>
/// Validates JSON against the subset of JSON Schema (draft 2020-12) that extraction schemas use: type (one or a
/// list), properties, required, additionalProperties (boolean or schema), items, enum, const, minimum, maximum,
/// minLength, maxLength, pattern, minItems, maxItems. Other keywords are ignored, never guessed at.
/// </summary>
public static class JsonSchemaValidator
{
    /// <summary>Violations as "path: problem", empty when <paramref name="value"/> conforms.</summary>
    public static IReadOnlyList<string> Validate(JsonElement value, JsonElement schema)
    {
        var errors = new List<string>();
        Check(value, schema, "$", errors);
        return errors;
    }

    private static void Check(JsonElement v, JsonElement s, string path, List<string> errors)
    {
        if (s.ValueKind == JsonValueKind.False) { errors.Add($"{path}: not allowed"); return; }
        if (s.ValueKind != JsonValueKind.Object) return;

        if (s.TryGetProperty("type", out var type))
        {
            var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!allowed.Any(t => HasType(v, t)))
            {
                errors.Add($"{path}: expected {string.Join(" or ", allowed)}, found {Describe(v)}");
                return;
            }
        }
        if (s.TryGetProperty("enum", out var en) && !en.EnumerateArray().Any(e => JsonElement.DeepEquals(e, v)))
            errors.Add($"{path}: {v.GetRawText()} is not one of {en.GetRawText()}");
        if (s.TryGetProperty("const", out var cn) && !JsonElement.DeepEquals(cn, v))
            errors.Add($"{path}: expected {cn.GetRawText()}");

        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                var d = v.GetDouble();
                if (s.TryGetProperty("minimum", out var min) && d < min.GetDouble()) errors.Add($"{path}: {Num(d)} is below the minimum {min.GetRawText()}");
                if (s.TryGetProperty("maximum", out var max) && d > max.GetDouble()) errors.Add($"{path}: {Num(d)} is above the maximum {max.GetRawText()}");
                break;
            case JsonValueKind.String:
                var str = v.GetString()!;
                if (s.TryGetProperty("minLength", out var minL) && str.Length < minL.GetInt32()) errors.Add($"{path}: shorter than {minL.GetInt32()}");
                if (s.TryGetProperty("maxLength", out var maxL) && str.Length > maxL.GetInt32()) errors.Add($"{path}: longer than {maxL.GetInt32()}");
                if (s.TryGetProperty("pattern", out var pat) && !Regex.IsMatch(str, pat.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
                    errors.Add($"{path}: does not match {pat.GetString()}");
                break;
            case JsonValueKind.Array:
                var n = v.GetArrayLength();
                if (s.TryGetProperty("minItems", out var minI) && n < minI.GetInt32()) errors.Add($"{path}: fewer than {minI.GetInt32()} items");
                if (s.TryGetProperty("maxItems", out var maxI) && n > maxI.GetInt32()) errors.Add($"{path}: more than {maxI.GetInt32()} items");
                if (s.TryGetProperty("items", out var items))
                {
                    int i = 0;
                    foreach (var e in v.EnumerateArray()) Check(e, items, $"{path}[{i++}]", errors);
                }
                break;
            case JsonValueKind.Object:
                var props = s.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : (JsonElement?)null;
                if (s.TryGetProperty("required", out var req))
                {
                    foreach (var r in req.EnumerateArray())
                        if (!v.TryGetProperty(r.GetString()!, out _)) errors.Add($"{path}.{r.GetString()}: required field is missing");
                }
                foreach (var field in v.EnumerateObject())
                {
                    if (props is { } ps && ps.TryGetProperty(field.Name, out var fs)) Check(field.Value, fs, $"{path}.{field.Name}", errors);
                    else if (s.TryGetProperty("additionalProperties", out var ap)) Check(field.Value, ap, $"{path}.{field.Name}", errors);
                }
                break;
        }
    }

    private static bool HasType(JsonElement v, string t) => t switch
    {
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        "string" => v.ValueKind == JsonValueKind.String,
        "number" => v.ValueKind == JsonValueKind.Number,
        "integer" => v.ValueKind == JsonValueKind.Number && Math.Abs(v.GetDouble() % 1) < double.Epsilon,
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => v.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => v.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Num(double d) => d.ToString(CultureInfo.InvariantCulture);
}
