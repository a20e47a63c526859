using System.Text.Json;

namespace Lever.Evals.Data;

/// <summary>One eval question: its input (or chat messages), what a right answer is, and metadata.</summary>
public sealed record EvalItem
{
    /// <summary>The item's id (the <c>id</c> field, or the line number).</summary>
    public required string Id { get; init; }

    /// <summary>1-based line in the eval set file.</summary>
    public int Line { get; init; }

    /// <summary>The question, when given as <c>input</c>.</summary>
    public string? Input { get; init; }

    /// <summary>The conversation, when given as <c>messages</c> (role, content).</summary>
    public IReadOnlyList<EvalMessage> Messages { get; init; } = [];

    /// <summary>The expected answer as JSON (a string, number or object), or null when the item is unlabeled.</summary>
    public JsonElement? Expected { get; init; }

    /// <summary>The expected answer as text (a JSON string's value, otherwise the JSON text).</summary>
    public string? ExpectedText => Expected is not { } e ? null : e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();

    /// <summary>Tags for slicing results.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The asking user, for permission-aware retrieval.</summary>
    public string? User { get; init; }

    /// <summary>The asking user's groups, for permission-aware retrieval.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>The fact a cited passage must contain (metadata <c>fact</c>); defaults to the expected text.</summary>
    public string? Fact { get; init; }

    /// <summary>Ids of the documents that answer the question (metadata <c>relevant</c>), for retrieval metrics.</summary>
    public IReadOnlyList<string> Relevant { get; init; } = [];

    /// <summary>SHA-256 of the item's canonical JSON: results are cached per (recipe hash, item hash).</summary>
    public required string Hash { get; init; }

    /// <summary>The text used as the query for retrieval and few-shot similarity: the input, or the last user message.</summary>
    public string QueryText => Input ?? Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
}
