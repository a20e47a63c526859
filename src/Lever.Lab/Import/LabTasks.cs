namespace Lever.Lab.Import;

/// <summary>The task shapes the lab measures, by their names in lever.yaml's <c>lab.task</c>.</summary>
public static class LabTasks
{
    /// <summary>A label per input, from a fixed set.</summary>
    public const string Classification = "classification";

    /// <summary>An expected text or JSON object per input (extraction, transformation).</summary>
    public const string Extraction = "extraction";

    /// <summary>Questions answered from a corpus of documents.</summary>
    public const string Qa = "qa";

    /// <summary>
    /// The task <paramref name="data"/> looks like, with the reason in words: text/label fields are classification;
    /// pairs whose outputs are all JSON objects are extraction; pairs with few distinct, short outputs (at most 50, at
    /// least 5 rows each on average, none over 4 words) are classification; any other pairs are transformation (extraction).
    /// </summary>
    public static (string Task, string Reason) Infer(ImportedDataset data)
    {
        var outputs = data.Rows.Select(r => r.Output).ToList();
        var distinct = outputs.Distinct(StringComparer.Ordinal).Count();
        if (data.Fields is { Chat: false, Output: "label" })
            return (Classification, $"a label field, {distinct} distinct labels over {outputs.Count:N0} rows");
        if (outputs.All(o => o.StartsWith('{') && IsJsonObject(o)))
            return (Extraction, $"every output is a JSON object ({outputs.Count:N0} rows): field-level scoring");
        var longest = outputs.Max(o => o.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
        if (distinct <= 50 && distinct * 5 <= outputs.Count && longest <= 4)
            return (Classification, $"{distinct} distinct outputs of at most {longest} word(s) over {outputs.Count:N0} rows: they are labels");
        return (Extraction, $"free-text outputs ({distinct:N0} distinct over {outputs.Count:N0} rows, up to {longest} words): a transformation");
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
