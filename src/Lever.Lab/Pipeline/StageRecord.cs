namespace Lever.Lab.Pipeline;

/// <summary>One stage in the lab manifest: what it was computed from, whether it finished, what it produced.</summary>
public sealed class StageRecord
{
    /// <summary>Hash of everything the stage's result depends on.</summary>
    public string Inputs { get; set; } = "";

    /// <summary><c>running</c> (started, not finished: an interrupted stage) or <c>done</c>.</summary>
    public string Status { get; set; } = "running";

    /// <summary>When the stage last started (UTC).</summary>
    public DateTimeOffset Started { get; set; }

    /// <summary>When it finished (UTC), if it did.</summary>
    public DateTimeOffset? Finished { get; set; }

    /// <summary>Wall-clock seconds of the run that produced the result.</summary>
    public double Seconds { get; set; }

    /// <summary>Output files (relative to the lab folder) and their SHA-256, checked before reuse.</summary>
    public Dictionary<string, string> Outputs { get; set; } = [];

    /// <summary>Numbers the stage measured that later stages need (for example train_seconds).</summary>
    public Dictionary<string, double> Values { get; set; } = [];
}
