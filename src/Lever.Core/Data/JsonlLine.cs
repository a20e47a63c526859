using System.Text.Json;

namespace Lever.Core.Data;

/// <summary>One line of a JSONL file: its 1-based number and either a parsed value or the reason it is invalid.</summary>
public sealed record JsonlLine(string File, int LineNumber, JsonElement Value, string? Error)
{
    /// <summary>True when the line parsed as a JSON object.</summary>
    public bool IsValid => Error is null;

    /// <summary>"file:line" for messages.</summary>
    public string Where => $"{File}:{LineNumber}";
}
