using System.Diagnostics;
using Lever.Lab.Internal;

namespace Lever.Lab.Pipeline;

/// <summary>
/// Runs named stages with reuse and resume: a stage whose inputs hash matches a finished record and whose outputs
/// are intact is skipped (and says so); anything else runs. A stage interrupted mid-way stays <c>running</c> in the
/// manifest and runs again next time — stages that can keep partial work (evaluation) resume inside themselves.
/// </summary>
public sealed class LabPipeline
{
    private readonly ILabObserver _observer;
    private readonly string _manifestPath;

    /// <summary>Opens the pipeline state in <paramref name="labDir"/> (created if needed).</summary>
    public LabPipeline(string labDir, ILabObserver observer)
    {
        LabDir = Directory.CreateDirectory(labDir).FullName;
        _observer = observer;
        _manifestPath = Path.Combine(LabDir, "manifest.json");
        Manifest = LabManifest.Load(_manifestPath);
    }

    /// <summary>The lab folder (<c>.lever/lab</c>); stage outputs are named relative to it.</summary>
    public string LabDir { get; }

    /// <summary>The current manifest.</summary>
    public LabManifest Manifest { get; }

    /// <summary>Names of the stages reused (not re-run) during this pipeline's lifetime.</summary>
    public List<string> Reused { get; } = [];

    /// <summary>Names of the stages that ran during this pipeline's lifetime.</summary>
    public List<string> Ran { get; } = [];

    /// <summary>
    /// Runs <paramref name="work"/> unless a finished record with the same <paramref name="inputs"/> exists and every file
    /// in <paramref name="outputs"/> still has its recorded hash. Returns the stage's record either way.
    /// </summary>
    public async Task<StageRecord> RunAsync(string stage, string description, string inputs, IReadOnlyList<string> outputs,
        Func<StageRun, CancellationToken, Task> work, CancellationToken ct)
    {
        if (Manifest.Stages.TryGetValue(stage, out var old) && old.Status == "done" && old.Inputs == inputs && Intact(old, outputs))
        {
            Reused.Add(stage);
            _observer.StageReused(stage, description);
            return old;
        }
        ct.ThrowIfCancellationRequested();
        var record = new StageRecord { Inputs = inputs, Status = "running", Started = DateTimeOffset.UtcNow };
        Manifest.Stages[stage] = record;
        Manifest.Save(_manifestPath);
        var run = new StageRun(stage, description, _observer, record);
        var clock = Stopwatch.StartNew();
        await work(run, ct).ConfigureAwait(false);
        foreach (var output in outputs)
        {
            var path = Path.Combine(LabDir, output);
            if (!File.Exists(path)) throw new InvalidOperationException($"stage {stage} did not write its output {output}");
            record.Outputs[output] = Hashing.File(path);
        }
        record.Seconds = clock.Elapsed.TotalSeconds;
        record.Status = "done";
        record.Finished = DateTimeOffset.UtcNow;
        Manifest.Save(_manifestPath);
        Ran.Add(stage);
        run.EnsureStarted();
        _observer.StageFinished(stage, clock.Elapsed, run.Detail);
        return record;
    }

    private bool Intact(StageRecord record, IReadOnlyList<string> outputs)
    {
        foreach (var output in outputs)
        {
            var path = Path.Combine(LabDir, output);
            if (!record.Outputs.TryGetValue(output, out var hash) || !File.Exists(path) || Hashing.File(path) != hash) return false;
        }
        return true;
    }
}
