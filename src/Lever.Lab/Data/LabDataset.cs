namespace Lever.Lab.Data;

/// <summary>The three splits every recipe is trained, tuned and measured on.</summary>
/// <param name="Labels">The classes, in a fixed order (it orders confusion matrices).</param>
/// <param name="Train">For training recipes.</param>
/// <param name="Validation">For choices made before the test (never the test itself).</param>
/// <param name="Test">Held out; every recipe is measured on exactly this.</param>
public sealed record LabDataset(IReadOnlyList<string> Labels, IReadOnlyList<LabExample> Train, IReadOnlyList<LabExample> Validation, IReadOnlyList<LabExample> Test);
