using System.Text.Json;
using Lever.Evals.Internal;
using Lever.Evals.Recipes;

namespace Lever.Evals.Parsing;

/// <summary>
/// Turns a raw answer into a prediction per the recipe's parser. Deliberately strict: an answer that is
/// right in content but wrong in form ("Billing, because…" for the label billing) fails to parse, which is
/// exactly the evidence the diagnosis needs to call a behaviour gap.
/// </summary>
public sealed class OutputParser
{
    private readonly ParserOptions _options;
    private readonly JsonElement? _schema;

    /// <summary>Creates a parser for <paramref name="options"/> (its schema, if any, parsed once).</summary>
    public OutputParser(ParserOptions options)
    {
        _options = options;
        if (options.Schema is { } s)
        {
            using var doc = JsonDocument.Parse(s);
            _schema = doc.RootElement.Clone();
        }
    }

    /// <summary>The schema, when the parser has one.</summary>
    public JsonElement? Schema => _schema;

    /// <summary>Parses <paramref name="raw"/>.</summary>
    public ParsedOutput Parse(string raw) => _options.Kind switch
    {
        "label" => ParseLabel(raw),
        "json" => ParseJson(raw),
        _ => new ParsedOutput { Raw = raw, Prediction = raw.Trim() },
    };

    private ParsedOutput ParseLabel(string raw)
    {
        var trimmed = raw.Trim().Trim('"', '\'', '`', '.', '!', ' ').Trim();
        foreach (var label in _options.Labels)
        {
            if (string.Equals(trimmed, label, StringComparison.OrdinalIgnoreCase))
                return new ParsedOutput { Raw = raw, Prediction = label };
        }
        return new ParsedOutput { Raw = raw, Prediction = trimmed, Error = $"not one of the labels ({string.Join(", ", _options.Labels)})" };
    }

    /// <summary>The single label mentioned anywhere in <paramref name="raw"/>, or null when none or several are.</summary>
    public string? MentionedLabel(string raw)
    {
        var found = _options.Labels.Where(l => TextNormalizer.ContainsNormalized(raw, l)).ToList();
        return found.Count == 1 ? found[0] : null;
    }

    private ParsedOutput ParseJson(string raw)
    {
        var text = StripFence(raw.Trim());
        JsonElement value;
        try
        {
            using var doc = JsonDocument.Parse(text);
            value = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return new ParsedOutput { Raw = raw, Prediction = raw.Trim(), Error = $"not valid JSON ({ex.Message.Split(". ")[0]})" };
        }
        if (_schema is { } schema)
        {
            var errors = JsonSchemaValidator.Validate(value, schema);
            if (errors.Count > 0)
                return new ParsedOutput { Raw = raw, Prediction = text, Json = value, Error = "schema: " + string.Join("; ", errors.Take(3)) };
        }
        return new ParsedOutput { Raw = raw, Prediction = text, Json = value };
    }

    private static string StripFence(string text)
    {
        // Chat models often wrap JSON in a Markdown fence; the fence is presentation, not content.
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        var firstNewline = text.IndexOf('\n');
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline > 0 && end > firstNewline ? text[(firstNewline + 1)..end].Trim() : text;
    }
}
