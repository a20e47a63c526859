using Lever.Evals.Scoring;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Lab.Qa;

/// <summary>One question of the QA lab: what is asked, the text a right answer contains, and the page that answers it.</summary>
/// <param name="Id">Stable id (<c>pg-01</c>).</param>
/// <param name="Input">The question.</param>
/// <param name="Expected">Text a correct answer contains (compared after <see cref="AnswerMatcher.Normalize"/>).</param>
/// <param name="Page">The document id (path relative to the corpus folder) that answers it.</param>
public sealed record QaQuestion(string Id, string Input, string Expected, string Page)
{
    /// <summary>Reads a question file; a line without id, input, expected or metadata.page is a user error naming file, line and field.</summary>
    public static List<QaQuestion> Load(string path)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: question file not found", "set lab.qa.questions to a JSONL file of {\"id\",\"input\",\"expected\",\"metadata\":{\"page\"}}");
        var list = new List<QaQuestion>();
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            var o = line.Value;
            string Field(JsonElement e, string name, string field) =>
                e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString()!
                    : throw new LeverUserException($"{line.Where}: field '{field}' is missing or not text", "each line is {\"id\",\"input\",\"expected\",\"metadata\":{\"page\": \"the answering page\"}}");
            var id = Field(o, "id", "id");
            var input = Field(o, "input", "input");
            var expected = Field(o, "expected", "expected");
            if (!o.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object)
                throw new LeverUserException($"{line.Where}: field 'metadata' is missing or not an object", "give metadata.page, the document that answers the question");
            var page = Field(meta, "page", "metadata.page");
            if (list.Any(q => q.Id == id)) throw new LeverUserException($"{line.Where}: field 'id': '{id}' is used twice", "give every question its own id");
            list.Add(new QaQuestion(id, input, expected, page));
        }
        if (list.Count == 0) throw new LeverUserException($"{path}: no questions", "add lines of {\"id\",\"input\",\"expected\",\"metadata\":{\"page\"}}");
        return list;
    }
}
