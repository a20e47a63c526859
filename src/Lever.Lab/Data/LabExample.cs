namespace Lever.Lab.Data;

/// <summary>One labelled email as the recipes see it.</summary>
/// <param name="Id">"group/file-number", stable across runs.</param>
/// <param name="Group">The corpus group it came from (easy-ham-1, spam-2, …).</param>
/// <param name="Label">The class: ham or spam.</param>
/// <param name="Subject">Decoded subject.</param>
/// <param name="From">Decoded sender.</param>
/// <param name="Text">The model input: subject, sender and body text.</param>
public sealed record LabExample(string Id, string Group, string Label, string Subject, string From, string Text);
