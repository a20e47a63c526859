namespace Lever.Lab.Import;

/// <summary>A team's file, read and checked: where it is, its format, which fields were used, and every row.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format"><c>jsonl</c> or <c>csv</c>.</param>
/// <param name="Fields">The fields used.</param>
/// <param name="Rows">Every row, in file order.</param>
public sealed record ImportedDataset(string Path, string Format, DataFields Fields, IReadOnlyList<ImportedExample> Rows);
