using System.Globalization;
using System.Text.Json;
using Lever.Evals.Internal;

namespace Lever.Evals.Scoring;

/// <summary>
/// JSON extraction: the answer must be valid JSON conforming to the recipe's schema (checked by the parser), and
/// each leaf field of the expected object is compared (numbers numerically, strings normalized). Value is the
/// fraction of expected fields right — the item's field recall (0 when the answer is not JSON); pass means valid and
/// every field right. The field counts (expected, answered, right) go with the score, so a run reports field-level
/// precision (an invented field costs it), recall and F1 over the set.
/// </summary>
internal sealed class JsonScorer : IScorer
{
    public string Name => "json";

    public ValueTask<Score> ScoreAsync(ScoringInput input, CancellationToken cancellationToken = default)
    {
        if (input.Output.Json is not { } got)
            return ValueTask.FromResult(new Score(Name, 0, false, input.Output.Error ?? "not JSON") { Fields = Counts(input.Item.Expected, null, 0) });
        if (input.Item.Expected is not { } expected)
            return ValueTask.FromResult(new Score(Name, input.Output.Ok ? 1 : 0, input.Output.Ok, input.Output.Error));
        if (expected.ValueKind == JsonValueKind.String)
        {
            // An expected object written as a JSON string inside the JSONL line.
            try
            {
                using var doc = JsonDocument.Parse(expected.GetString()!);
                expected = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                return ValueTask.FromResult(new Score(Name, 0, false, "expected is not JSON"));
            }
        }
        var leaves = new List<(string Path, JsonElement Value)>();
        Flatten(expected, "$", leaves);
        if (leaves.Count == 0) return ValueTask.FromResult(new Score(Name, input.Output.Ok ? 1 : 0, input.Output.Ok, input.Output.Error));
        var wrong = leaves.Where(l => !(Find(got, l.Path) is { } v && LeafEquals(v, l.Value))).Select(l => l.Path).ToList();
        double accuracy = (double)(leaves.Count - wrong.Count) / leaves.Count;
        var detail = string.Join("; ", new[] { input.Output.Error, wrong.Count > 0 ? "wrong: " + string.Join(", ", wrong) : null }.OfType<string>());
        var answered = new List<(string, JsonElement)>();
        Flatten(got, "$", answered);
        return ValueTask.FromResult(new Score(Name, accuracy, input.Output.Ok && wrong.Count == 0, detail.Length > 0 ? detail : null)
        {
            Fields = new FieldCounts(leaves.Count, answered.Count, leaves.Count - wrong.Count),
        });
    }

    /// <summary>Counts for an answer that is not JSON: every expected field missed, none answered.</summary>
    private static FieldCounts? Counts(JsonElement? expected, JsonElement? _, int correct)
    {
        if (expected is not { } e) return null;
        if (e.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var doc = JsonDocument.Parse(e.GetString()!);
                e = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }
        var leaves = new List<(string, JsonElement)>();
        Flatten(e, "$", leaves);
        return new FieldCounts(leaves.Count, 0, correct);
    }

    internal static void Flatten(JsonElement e, string path, List<(string, JsonElement)> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Flatten(p.Value, $"{path}.{p.Name}", into);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var x in e.EnumerateArray()) Flatten(x, $"{path}[{i++}]", into);
                break;
            default:
                into.Add((path, e));
                break;
        }
    }

    private static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        int i = 1; // skip '$'
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(path[(i + 1)..end], out current)) return null;
                i = end;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                int index = int.Parse(path[(i + 1)..end], CultureInfo.InvariantCulture);
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength()) return null;
                current = current[index];
                i = end + 1;
            }
            else return null;
        }
        return current;
    }

    private static bool LeafEquals(JsonElement got, JsonElement want) => want.ValueKind switch
    {
        JsonValueKind.Number => got.ValueKind == JsonValueKind.Number ? Math.Abs(got.GetDouble() - want.GetDouble()) <= 1e-9 * Math.Max(1, Math.Abs(want.GetDouble()))
            : got.ValueKind == JsonValueKind.String && NumericScorer.FirstNumber(got.GetString()) is { } d && Math.Abs(d - want.GetDouble()) <= 1e-9 * Math.Max(1, Math.Abs(want.GetDouble())),
        JsonValueKind.String => got.ValueKind == JsonValueKind.String && TextNormalizer.Normalize(got.GetString()) == TextNormalizer.Normalize(want.GetString()),
        _ => JsonElement.DeepEquals(got, want),
    };
}
