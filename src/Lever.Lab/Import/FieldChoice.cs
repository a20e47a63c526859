namespace Lever.Lab.Import;

/// <summary>Field names given on the command line (<c>--text-field</c>, <c>--label-field</c>, <c>--input-field</c>, <c>--output-field</c>); null: recognise them.</summary>
/// <param name="Text">The text field of classification data.</param>
/// <param name="Label">The label field of classification data.</param>
/// <param name="Input">The input field of input/output pairs.</param>
/// <param name="Output">The output field of input/output pairs.</param>
public sealed record FieldChoice(string? Text = null, string? Label = null, string? Input = null, string? Output = null);
