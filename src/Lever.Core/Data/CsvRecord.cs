namespace Lever.Core.Data;

/// <summary>One CSV record: the line it starts on (a quoted field may span lines) and its fields.</summary>
/// <param name="File">The file it was read from.</param>
/// <param name="Line">1-based line number where the record starts.</param>
/// <param name="Fields">The fields, unquoted.</param>
public sealed record CsvRecord(string File, int Line, IReadOnlyList<string> Fields)
{
    /// <summary>"file:line" for messages.</summary>
    public string Where => $"{File}:{Line}";
}
