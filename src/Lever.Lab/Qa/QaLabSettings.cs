using Lever.Core;
using Lever.Core.Config;
using Lever.Retrieval;

namespace Lever.Lab.Qa;

/// <summary>The QA lab's validated settings: <c>lab.qa</c> resolved against the workspace (files found, the index defined).</summary>
/// <param name="Lab">The whole lab configuration (compute prices, volume).</param>
/// <param name="Options">The <c>lab.qa</c> section.</param>
/// <param name="QuestionsPath">Full path of the question file.</param>
/// <param name="FreshnessPath">Full path of the freshness file, or null.</param>
/// <param name="Index">The index options from <c>indexes.&lt;lab.qa.index&gt;</c>.</param>
/// <param name="CorpusPath">Full path of the documents folder (may not exist yet: see <see cref="QaCorpus"/>).</param>
public sealed record QaLabSettings(LabConfiguration Lab, QaLabOptions Options, string QuestionsPath, string? FreshnessPath, IndexOptions Index, string CorpusPath)
{
    /// <summary>Resolves and checks <c>lab.qa</c>; each problem is one user error naming the file and field.</summary>
    public static QaLabSettings Load(Workspace workspace, LabConfiguration lab)
    {
        var path = workspace.ConfigPath;
        var config = LeverConfig.Load(path);
        var o = lab.Options.Qa;
        void Fail(string field, string what, string hint) => throw config.ErrorAt($"lab.qa.{field}", what, hint);
        if (o.K is < 1 or > 20) Fail("k", $"{o.K} is outside 1–20", "give the number of passages per answer, e.g. 5");
        if (string.IsNullOrWhiteSpace(o.Questions)) Fail("questions", "empty", "name the JSONL question file, e.g. questions.jsonl");
        var questions = Path.GetFullPath(Path.Combine(workspace.Root, o.Questions));
        if (!File.Exists(questions)) Fail("questions", $"{questions} not found", "name the JSONL question file, relative to the workspace");
        string? freshness = null;
        if (o.Freshness is { } f)
        {
            freshness = Path.GetFullPath(Path.Combine(workspace.Root, f));
            if (!File.Exists(freshness)) Fail("freshness", $"{freshness} not found", "name the JSONL file of edits, or set freshness: null to skip the step");
        }
        var indexes = config.Section<Dictionary<string, IndexOptions>>("indexes");
        if (indexes is null || !indexes.TryGetValue(o.Index, out var index))
            throw config.ErrorAt("lab.qa.index", $"no index '{o.Index}' under indexes:",
                indexes is { Count: > 0 } ? $"indexes defined: {string.Join(", ", indexes.Keys)}" : "define it: indexes: { name: { path: <folder of documents> } }");
        if (string.IsNullOrWhiteSpace(index.Path))
            throw config.ErrorAt($"indexes.{o.Index}.path", "missing", "give the folder of documents the lab indexes");
        return new QaLabSettings(lab, o, questions, freshness, index, Path.GetFullPath(Path.Combine(workspace.Root, index.Path)));
    }

    /// <summary>The embedding provider for the hybrid recipes: <c>lab.qa.embedding</c>, else the index's <c>embedding:</c>.</summary>
    public string? EmbeddingProvider => Options.Embedding ?? Index.Embedding;
}
