using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Lab.Import;

/// <summary>
/// Reads a team's own data — JSONL or CSV — into input/output rows: <c>{"text","label"}</c>, <c>{"input","output"}</c>,
/// <c>{"prompt","completion"}</c>, chat <c>{"messages":[…]}</c> (the last assistant turn is the output), or fields named
/// by the user. Every problem is one <see cref="LeverUserException"/> naming file:line, the field and the fix: a file
/// that is missing, unreadable or not UTF-8, a malformed line, a ragged CSV row, a missing or empty field.
/// </summary>
public static class DatasetImporter
{
    private static readonly (string Input, string Output)[] KnownPairs = [("text", "label"), ("input", "output"), ("prompt", "completion")];

    /// <summary>Reads <paramref name="path"/>; <paramref name="fields"/> fixes the fields (a test file read like its training file), else they are recognised from <paramref name="choice"/> and the first row.</summary>
    public static ImportedDataset Read(string path, FieldChoice? choice = null, DataFields? fields = null)
    {
        Utf8Text.Require(path);
        var csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);
        var (chosen, rows) = csv ? ReadCsv(path, choice ?? new FieldChoice(), fields) : ReadJsonl(path, choice ?? new FieldChoice(), fields);
        if (rows.Count == 0) throw new LeverUserException($"{path}: no rows", csv ? "add rows under the header" : "add one JSON object per line");
        var duplicate = rows.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new LeverUserException($"{path}:{duplicate.Skip(1).First().Line}: field 'id': '{duplicate.Key}' is used twice (first on line {duplicate.First().Line})",
                "give every row its own id, or drop the id field to number rows by line");
        return new ImportedDataset(path, csv ? "csv" : "jsonl", chosen, rows);
    }

    private static (DataFields, List<ImportedExample>) ReadJsonl(string path, FieldChoice choice, DataFields? fields)
    {
        var rows = new List<ImportedExample>();
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            var o = line.Value;
            fields ??= Recognise(line.Where, o.EnumerateObject().Select(p => p.Name).ToList(), choice);
            string? id = o.TryGetProperty("id", out var idEl) ? idEl.ValueKind switch
            {
                JsonValueKind.String => idEl.GetString(),
                JsonValueKind.Number => idEl.GetRawText(),
                _ => throw new LeverUserException($"{line.Where}: field 'id': expected a string or a number", "use \"id\": \"t-17\" or drop the field"),
            } : null;
            string input, output;
            if (fields.Chat) (input, output) = Chat(line.Where, o);
            else
            {
                input = Text(line.Where, o, fields.Input, asJson: false);
                output = Text(line.Where, o, fields.Output, asJson: true);
            }
            var order = fields.Order is { } of && o.TryGetProperty(of, out var ord) ? (ord.ValueKind == JsonValueKind.String ? ord.GetString() : ord.GetRawText()) : null;
            rows.Add(new ImportedExample(id ?? $"line-{line.LineNumber.ToString(CultureInfo.InvariantCulture)}", line.LineNumber, input, output, order));
        }
        return (fields ?? new DataFields("text", "label"), rows);
    }

    private static (DataFields, List<ImportedExample>) ReadCsv(string path, FieldChoice choice, DataFields? fields)
    {
        var (header, records) = CsvReader.Read(path);
        fields ??= Recognise($"{path}:1", header, choice);
        if (fields.Chat) throw new LeverUserException($"{path}: chat messages cannot come from CSV", "export chat data as JSONL with a messages array per line");
        int Column(string name) => header.ToList().IndexOf(name) is var i and >= 0 ? i
            : throw new LeverUserException($"{path}:1: no column '{name}' (columns: {string.Join(", ", header)})", "name the columns with --text-field/--label-field or --input-field/--output-field");
        int input = Column(fields.Input), output = Column(fields.Output);
        int id = header.ToList().IndexOf("id");
        int order = fields.Order is { } of ? Column(of) : -1;
        var rows = new List<ImportedExample>();
        foreach (var r in records)
        {
            string Required(int column, string name) => string.IsNullOrWhiteSpace(r.Fields[column])
                ? throw new LeverUserException($"{r.Where}: field '{name}' is empty", "fill it or remove the row")
                : r.Fields[column];
            rows.Add(new ImportedExample(id >= 0 && r.Fields[id].Length > 0 ? r.Fields[id] : $"line-{r.Line.ToString(CultureInfo.InvariantCulture)}", r.Line,
                Required(input, fields.Input), Required(output, fields.Output).Trim(), order >= 0 ? r.Fields[order] : null));
        }
        return (fields, rows);
    }

    /// <summary>The fields to use, from the user's choice or the names the first row has.</summary>
    private static DataFields Recognise(string where, IReadOnlyList<string> names, FieldChoice choice)
    {
        var order = DataFields.OrderNames.FirstOrDefault(n => names.Contains(n, StringComparer.Ordinal));
        if (choice.Text is not null || choice.Label is not null)
            return new DataFields(choice.Text ?? "text", choice.Label ?? "label", Order: order);
        if (choice.Input is not null || choice.Output is not null)
            return new DataFields(choice.Input ?? "input", choice.Output ?? "output", Order: order);
        if (names.Contains("messages", StringComparer.Ordinal)) return new DataFields("messages", "messages", Chat: true, Order: order);
        foreach (var (i, o) in KnownPairs)
            if (names.Contains(i, StringComparer.Ordinal) && names.Contains(o, StringComparer.Ordinal)) return new DataFields(i, o, Order: order);
        throw new LeverUserException($"{where}: no text/label, input/output, prompt/completion or messages fields (found: {string.Join(", ", names)})",
            "name the fields with --text-field/--label-field (classification) or --input-field/--output-field (extraction, transformation)");
    }

    private static string Text(string where, JsonElement o, string field, bool asJson)
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            throw new LeverUserException($"{where}: field '{field}' is missing", $"every line needs '{field}' (or name another field on the command line)");
        var text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            JsonValueKind.Object or JsonValueKind.Array when asJson => JsonSerializer.Serialize(v),
            _ => throw new LeverUserException($"{where}: field '{field}': expected text, found {v.ValueKind.ToString().ToLowerInvariant()}", $"give '{field}' as a JSON string"),
        };
        if (string.IsNullOrWhiteSpace(text)) throw new LeverUserException($"{where}: field '{field}' is empty", "fill it or remove the line");
        return asJson ? text.Trim() : text;
    }

    private static (string Input, string Output) Chat(string where, JsonElement o)
    {
        if (o.GetProperty("messages") is not { ValueKind: JsonValueKind.Array } messages)
            throw new LeverUserException($"{where}: field 'messages': expected an array", "use [{\"role\":\"user\",\"content\":\"…\"},{\"role\":\"assistant\",\"content\":\"…\"}]");
        var turns = new List<(string Role, string Content)>();
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var r) || r.ValueKind != JsonValueKind.String
                || !m.TryGetProperty("content", out var c) || c.ValueKind != JsonValueKind.String)
                throw new LeverUserException($"{where}: field 'messages[{i}]': each message needs a string role and a string content", "use {\"role\":\"user\",\"content\":\"…\"}");
            turns.Add((r.GetString()!, c.GetString()!));
            i++;
        }
        var last = turns.FindLastIndex(t => t.Role == "assistant");
        if (last < 0) throw new LeverUserException($"{where}: field 'messages': no assistant turn", "end each conversation with the assistant answer the model should learn");
        if (string.IsNullOrWhiteSpace(turns[last].Content)) throw new LeverUserException($"{where}: field 'messages[{last}].content' is empty", "give the assistant turn its answer");
        var input = string.Join("\n", turns.Take(last).Select(t => t.Role == "user" ? t.Content : $"{t.Role}: {t.Content}"));
        if (string.IsNullOrWhiteSpace(input)) throw new LeverUserException($"{where}: field 'messages': nothing before the assistant turn", "put the user's message before the answer");
        return (input, turns[last].Content.Trim());
    }
}
