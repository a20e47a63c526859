using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Evals.Data;

/// <summary>
/// An eval set: JSONL, one item a line — <c>{"id"?, "input" | "messages", "expected"?, "metadata"?: {"tags", "user", "groups", "fact", "relevant"}}</c>.
/// A bad line is refused with its file and line number, before any model call is spent.
/// </summary>
public sealed class EvalSet
{
    private EvalSet(string path, IReadOnlyList<EvalItem> items, string hash)
    {
        Path = path;
        Items = items;
        Hash = hash;
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>Items in file order.</summary>
    public IReadOnlyList<EvalItem> Items { get; }

    /// <summary>SHA-256 over the item hashes in order: the set's identity.</summary>
    public string Hash { get; }

    /// <summary>Reads and validates the whole file.</summary>
    public static EvalSet Load(string path)
    {
        var items = new List<EvalItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            var item = Parse(line);
            if (!ids.Add(item.Id))
                throw new LeverUserException($"{line.Where}: field 'id': duplicate id '{item.Id}'", "give every item a unique id, or drop the id field to number items by line");
            items.Add(item);
        }
        if (items.Count == 0) throw new LeverUserException($"{path}: the eval set is empty", "add one JSON object per line with an input and an expected answer");
        var all = string.Join('\n', items.Select(i => i.Hash));
        return new EvalSet(path, items, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all))));
    }

    /// <summary>
    /// An eval set of items made in memory (the lab's test split, each built with <see cref="Parse"/>), named
    /// <paramref name="path"/> in reports; its hash is that of the same items read from a file.
    /// </summary>
    public static EvalSet Of(string path, IReadOnlyList<EvalItem> items)
    {
        var duplicate = items.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"two items have the id '{duplicate.Key}'", nameof(items));
        if (items.Count == 0) throw new ArgumentException("an eval set needs an item", nameof(items));
        var all = string.Join('\n', items.Select(i => i.Hash));
        return new EvalSet(path, items, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all))));
    }

    /// <summary>Parses one JSONL line into an item; throws naming the line and field.</summary>
    public static EvalItem Parse(JsonlLine line)
    {
        var o = line.Value;
        LeverUserException Bad(string field, string problem, string fix) => new($"{line.Where}: field '{field}': {problem}", fix);

        string? input = null;
        if (o.TryGetProperty("input", out var inputEl))
        {
            if (inputEl.ValueKind != JsonValueKind.String) throw Bad("input", $"expected a string, found {Kind(inputEl)}", "write the question as a JSON string");
            input = inputEl.GetString();
        }
        var messages = new List<EvalMessage>();
        if (o.TryGetProperty("messages", out var msgs))
        {
            if (msgs.ValueKind != JsonValueKind.Array) throw Bad("messages", $"expected an array, found {Kind(msgs)}", "use [{\"role\":\"user\",\"content\":\"...\"}]");
            int i = 0;
            foreach (var m in msgs.EnumerateArray())
            {
                if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                    || !m.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                    throw Bad($"messages[{i}]", "each message needs a string role and a string content", "use {\"role\":\"user\",\"content\":\"...\"}");
                var r = role.GetString()!;
                if (r is not ("system" or "user" or "assistant")) throw Bad($"messages[{i}].role", $"'{r}' is not a chat role", "use system, user or assistant");
                messages.Add(new EvalMessage(r, content.GetString()!));
                i++;
            }
        }
        if (input is null && messages.Count == 0)
            throw Bad("input", "missing (an item needs \"input\" or \"messages\")", "add \"input\": \"the question\"");
        if (input is not null && messages.Count > 0)
            throw Bad("messages", "both input and messages are given", "keep one of them");

        JsonElement? expected = o.TryGetProperty("expected", out var exp) && exp.ValueKind != JsonValueKind.Null ? exp.Clone() : null;

        var id = line.LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (o.TryGetProperty("id", out var idEl))
        {
            id = idEl.ValueKind switch
            {
                JsonValueKind.String => idEl.GetString()!,
                JsonValueKind.Number => idEl.GetRawText(),
                _ => throw Bad("id", $"expected a string or number, found {Kind(idEl)}", "use \"id\": \"q1\""),
            };
        }

        var tags = new List<string>();
        var groups = new List<string>();
        var relevant = new List<string>();
        string? user = null, fact = null;
        if (o.TryGetProperty("metadata", out var meta))
        {
            if (meta.ValueKind != JsonValueKind.Object) throw Bad("metadata", $"expected an object, found {Kind(meta)}", "use \"metadata\": {\"tags\": [...]}");
            ReadStrings(meta, "tags", tags, Bad);
            ReadStrings(meta, "groups", groups, Bad);
            ReadStrings(meta, "relevant", relevant, Bad);
            user = ReadString(meta, "user", Bad);
            fact = ReadString(meta, "fact", Bad);
        }

        // Canonical form: the line re-serialized without insignificant whitespace, so reformatting a file keeps its cache.
        var canonical = JsonSerializer.Serialize(o);
        return new EvalItem
        {
            Id = id,
            Line = line.LineNumber,
            Input = input,
            Messages = messages,
            Expected = expected,
            Tags = tags,
            User = user,
            Groups = groups,
            Fact = fact,
            Relevant = relevant,
            Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))),
        };
    }

    private static void ReadStrings(JsonElement meta, string name, List<string> into, Func<string, string, string, LeverUserException> bad)
    {
        if (!meta.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return;
        if (el.ValueKind == JsonValueKind.String)
        {
            into.Add(el.GetString()!);
            return;
        }
        if (el.ValueKind != JsonValueKind.Array) throw bad($"metadata.{name}", $"expected an array of strings, found {Kind(el)}", $"use \"{name}\": [\"a\", \"b\"]");
        foreach (var v in el.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.String) throw bad($"metadata.{name}", $"expected strings, found {Kind(v)}", $"use \"{name}\": [\"a\", \"b\"]");
            into.Add(v.GetString()!);
        }
    }

    private static string? ReadString(JsonElement meta, string name, Func<string, string, string, LeverUserException> bad)
    {
        if (!meta.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        return el.ValueKind == JsonValueKind.String ? el.GetString() : throw bad($"metadata.{name}", $"expected a string, found {Kind(el)}", $"use \"{name}\": \"...\"");
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}
