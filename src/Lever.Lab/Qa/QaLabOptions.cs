namespace Lever.Lab.Qa;

/// <summary>
/// <c>lab.qa</c> in lever.yaml: the question set, the documents (an index under <c>indexes:</c>), the freshness edits,
/// and which providers the hosted recipes use. Paths are relative to the workspace.
/// </summary>
public sealed class QaLabOptions
{
    /// <summary>Questions in the eval-set format: <c>{"id","input","expected","metadata":{"page"}}</c>.</summary>
    public string Questions { get; set; } = "questions.jsonl";

    /// <summary>Edits that must change answers once the index is synced: <c>{"question","page","find","replace","expected_after"}</c>; null for none.</summary>
    public string? Freshness { get; set; } = "freshness.jsonl";

    /// <summary>The index under <c>indexes:</c> whose path, include/exclude and chunking the lab's own index uses.</summary>
    public string Index { get; set; } = "default";

    /// <summary>Debian package that installs the documents when the index's path is missing (null: never install).</summary>
    public string? AptPackage { get; set; }

    /// <summary>Passages given to the reader or the chat model.</summary>
    public int K { get; set; } = 5;

    /// <summary>Also train a tiny model on the documents (<c>lab.llm</c> sizes it) and measure it closed book: minutes of CPU.</summary>
    public bool TrainModel { get; set; }

    /// <summary>Chat provider (under <c>providers:</c>) for the hosted recipes; null: the only provider with a model, if exactly one.</summary>
    public string? Provider { get; set; }

    /// <summary>Embedding provider for the hybrid recipes; null: the index's <c>embedding:</c>, else the built-in local model (the CLI); <c>none</c>: hybrid is skipped.</summary>
    public string? Embedding { get; set; }
}
