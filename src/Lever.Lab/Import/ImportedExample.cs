namespace Lever.Lab.Import;

/// <summary>One row of a team's data as the lab reads it: its id, the line it came from, the input and the expected output (a label for classification).</summary>
/// <param name="Id">The row's <c>id</c> field, else <c>line-N</c> (stable while the file is only appended to).</param>
/// <param name="Line">1-based line (CSV: the line the record starts on).</param>
/// <param name="Input">The text the model is given.</param>
/// <param name="Output">The label, or the expected text/JSON.</param>
/// <param name="Order">The value of the order field (time or sequence) when the data has one, for a chronological split.</param>
public sealed record ImportedExample(string Id, int Line, string Input, string Output, string? Order = null);
