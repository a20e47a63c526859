namespace Lever.Lab.Pipeline;

/// <summary>A stage while it runs: reports progress, records measured values and a one-line result.</summary>
public sealed class StageRun
{
    private readonly ILabObserver _observer;
    private readonly StageRecord _record;
    private bool _started;

    internal StageRun(string stage, string description, ILabObserver observer, StageRecord record)
    {
        Stage = stage;
        Description = description;
        _observer = observer;
        _record = record;
    }

    /// <summary>The stage's name in the manifest.</summary>
    public string Stage { get; }

    /// <summary>What the stage does, in words.</summary>
    public string Description { get; }

    /// <summary>One-line result shown when the stage finishes.</summary>
    public string? Detail { get; set; }

    /// <summary>Announces the stage with its number of steps (call once, when the total is known).</summary>
    public void Start(long total)
    {
        if (_started) return;
        _started = true;
        _observer.StageStarted(Stage, Description, total);
    }

    /// <summary>Reports <paramref name="done"/> steps finished.</summary>
    public void Progress(long done)
    {
        Start(0);
        _observer.StageProgress(Stage, done);
    }

    /// <summary>Records a measured value kept with the stage (reused runs return it unchanged).</summary>
    public void SetValue(string name, double value) => _record.Values[name] = value;

    /// <summary>Passes a message to the user.</summary>
    public void Info(string message) => _observer.Info(message);

    internal void EnsureStarted() => Start(0);
}
