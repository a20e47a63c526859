using System.Text.Json;
using Lever.Core;
using Lever.Core.Data;

namespace Lever.Lab.Qa;

/// <summary>One freshness edit: replace <paramref name="Find"/> by <paramref name="Replace"/> in <paramref name="Page"/>; afterwards question <paramref name="Question"/> must be answered with <paramref name="ExpectedAfter"/>.</summary>
/// <param name="Question">Id of the question the edit changes.</param>
/// <param name="Page">Document id (path relative to the corpus folder) to edit.</param>
/// <param name="Find">Raw text of the page to replace (must occur in it).</param>
/// <param name="Replace">The new text.</param>
/// <param name="ExpectedAfter">Text the answer must contain after the index is synced.</param>
/// <param name="Where">File and line, for errors.</param>
public sealed record FreshnessEdit(string Question, string Page, string Find, string Replace, string ExpectedAfter, string Where)
{
    /// <summary>Reads the edits; a bad line, or a question id not in <paramref name="questions"/>, is a user error naming file, line and field.</summary>
    public static List<FreshnessEdit> Load(string path, IReadOnlyList<QaQuestion> questions)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: freshness file not found", "set lab.qa.freshness to a JSONL file of edits, or to null to skip the step");
        var list = new List<FreshnessEdit>();
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            var o = line.Value;
            string Field(string name) =>
                o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(v.GetString()) ? v.GetString()!
                    : throw new LeverUserException($"{line.Where}: field '{name}' is missing or not text", "each line is {\"question\",\"page\",\"find\",\"replace\",\"expected_after\"}");
            var question = Field("question");
            if (questions.All(q => q.Id != question))
                throw new LeverUserException($"{line.Where}: field 'question': no question has id '{question}'", "use an id from the question file");
            list.Add(new FreshnessEdit(question, Field("page"), Field("find"), Field("replace"), Field("expected_after"), line.Where));
        }
        return list;
    }
}
