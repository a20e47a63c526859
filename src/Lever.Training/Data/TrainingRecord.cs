namespace Lever.Training.Data;

/// <summary>
/// One valid line of a training file, parsed. <see cref="ContentHash"/> identifies its content (not its layout:
/// key order and whitespace do not matter), for exact-duplicate detection and the seeded split.
/// </summary>
public sealed record TrainingRecord(
    int LineNumber,
    DatasetFormat Format,
    string? Text,
    string? Prompt,
    string? Completion,
    IReadOnlyList<TrainingMessage>? Messages,
    ulong ContentHash);
