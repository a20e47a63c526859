namespace Lever.Server.FineTuning;

/// <summary>The verdict on one uploaded JSONL file: how many examples it holds and its invalid lines (1-based, with the reason).</summary>
/// <param name="Examples">Valid examples.</param>
/// <param name="InvalidCount">Invalid lines in all (<paramref name="Problems"/> may list fewer).</param>
/// <param name="Problems">The first invalid lines with their reasons.</param>
/// <param name="Format">The data format found (e.g. prompt/completion, messages), or null.</param>
public sealed record FineTuneFileCheck(int Examples, int InvalidCount, IReadOnlyList<(int Line, string Reason)> Problems, string? Format)
{
    /// <summary>True when the file can be trained on: no invalid line and at least one example.</summary>
    public bool Ok => InvalidCount == 0 && Examples > 0;

    /// <summary>One line naming the first problem, e.g. <c>line 3: invalid JSON (1 invalid line)</c>.</summary>
    public string Describe() => Problems.Count > 0
        ? $"line {Problems[0].Line}: {Problems[0].Reason} ({InvalidCount} invalid line{(InvalidCount == 1 ? "" : "s")})"
        : Examples == 0 ? "no examples (one JSON object a line: {\"prompt\",\"completion\"} or {\"messages\"})" : "ok";
}
