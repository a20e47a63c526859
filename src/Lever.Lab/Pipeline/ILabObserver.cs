namespace Lever.Lab.Pipeline;

/// <summary>What the lab tells its user while it runs; the CLI renders it with Spectre.Console, tests record it.</summary>
public interface ILabObserver
{
    /// <summary>A stage begins real work; <paramref name="total"/> is its number of steps (0 when unknown).</summary>
    void StageStarted(string stage, string description, long total);

    /// <summary><paramref name="done"/> of the stage's steps are finished.</summary>
    void StageProgress(string stage, long done);

    /// <summary>A stage's inputs did not change and its outputs are intact: its earlier result is reused.</summary>
    void StageReused(string stage, string description);

    /// <summary>A stage finished; <paramref name="detail"/> is a one-line result.</summary>
    void StageFinished(string stage, TimeSpan elapsed, string? detail);

    /// <summary>A one-line message worth showing.</summary>
    void Info(string message);
}
