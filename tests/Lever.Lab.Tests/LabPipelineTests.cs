using Lever.Lab.Pipeline;

namespace Lever.Lab.Tests;

public sealed class LabPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lever-lab-pipeline").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<StageRecord> Stage(LabPipeline p, string inputs, Func<int> counter, string content = "out") =>
        p.RunAsync("s", "a stage", inputs, ["out.txt"], (run, _) =>
        {
            counter();
            run.SetValue("n", 42);
            File.WriteAllText(Path.Combine(_dir, "out.txt"), content);
            return Task.CompletedTask;
        }, CancellationToken.None);

    [Fact]
    public async Task A_stage_with_unchanged_inputs_and_intact_outputs_is_reused_with_its_values()
    {
        var runs = 0;
        await Stage(new LabPipeline(_dir, new RecordingObserver()), "v1", () => ++runs);
        var observer = new RecordingObserver();
        var again = new LabPipeline(_dir, observer);
        var record = await Stage(again, "v1", () => ++runs);
        Assert.Equal(1, runs);
        Assert.Equal(["s"], observer.Reused);
        Assert.Equal(["s"], again.Reused);
        Assert.Equal(42, record.Values["n"]);
    }

    [Fact]
    public async Task Changed_inputs_or_a_tampered_output_run_the_stage_again()
    {
        var runs = 0;
        await Stage(new LabPipeline(_dir, new RecordingObserver()), "v1", () => ++runs);
        await Stage(new LabPipeline(_dir, new RecordingObserver()), "v2", () => ++runs);
        Assert.Equal(2, runs);
        File.WriteAllText(Path.Combine(_dir, "out.txt"), "edited by hand");
        await Stage(new LabPipeline(_dir, new RecordingObserver()), "v2", () => ++runs);
        Assert.Equal(3, runs);
        File.Delete(Path.Combine(_dir, "out.txt"));
        await Stage(new LabPipeline(_dir, new RecordingObserver()), "v2", () => ++runs);
        Assert.Equal(4, runs);
    }

    [Fact]
    public async Task An_interrupted_stage_stays_running_in_the_manifest_and_runs_again()
    {
        var first = new LabPipeline(_dir, new RecordingObserver());
        await first.RunAsync("a", "first", "x", [], (_, _) => Task.CompletedTask, CancellationToken.None);
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            first.RunAsync("b", "second", "y", [], (_, _) => throw new OperationCanceledException(), CancellationToken.None));
        var manifest = LabManifest.Load(Path.Combine(_dir, "manifest.json"));
        Assert.Equal("done", manifest.Stages["a"].Status);
        Assert.Equal("running", manifest.Stages["b"].Status);

        var resumed = new LabPipeline(_dir, new RecordingObserver());
        await resumed.RunAsync("a", "first", "x", [], (_, _) => throw new InvalidOperationException("must be reused"), CancellationToken.None);
        var ran = false;
        await resumed.RunAsync("b", "second", "y", [], (_, _) => { ran = true; return Task.CompletedTask; }, CancellationToken.None);
        Assert.True(ran);
        Assert.Equal(["a"], resumed.Reused);
        Assert.Equal(["b"], resumed.Ran);
    }
}
