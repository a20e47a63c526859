using System.Collections.Concurrent;
using Lever.Lab.Pipeline;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary>
/// Shows the lab's stages: a Spectre.Console progress bar per stage (step count, rate through the percentage,
/// ETA) on a terminal, or one plain line per stage event when output is redirected (logs, CI, tests).
/// </summary>
internal sealed class LabProgressObserver(ProgressContext? progress) : ILabObserver
{
    /// <summary>Runs <paramref name="run"/> with progress bars on a terminal, or plain stage lines when output is redirected.</summary>
    public static async Task<T> RunAsync<T>(Func<ILabObserver, Task<T>> run)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return await run(new LabProgressObserver(null)).ConfigureAwait(false);
        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx => await run(new LabProgressObserver(ctx)).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new();
    private readonly ConcurrentDictionary<string, (long Total, long Reported)> _plain = new();

    public void StageStarted(string stage, string description, long total)
    {
        if (progress is null)
        {
            _plain[stage] = (total, 0);
            Console.WriteLine($"lab: {stage}: {description}{(total > 0 ? $" ({total} steps)" : "")}");
            return;
        }
        var task = progress.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
        task.IsIndeterminate = total <= 0;
        _tasks[stage] = task;
    }

    public void StageProgress(string stage, long done)
    {
        if (progress is null)
        {
            // Quarter marks only: a log should show progress, not every step.
            if (_plain.TryGetValue(stage, out var p) && p.Total > 0 && done * 4 / p.Total > p.Reported * 4 / p.Total)
            {
                _plain[stage] = (p.Total, done);
                Console.WriteLine($"lab: {stage}: {done}/{p.Total}");
            }
            return;
        }
        if (_tasks.TryGetValue(stage, out var task)) task.Value = Math.Min(done, task.MaxValue);
    }

    public void StageReused(string stage, string description)
    {
        if (progress is null)
        {
            Console.WriteLine($"lab: {stage}: reused (inputs unchanged): {description}");
            return;
        }
        AnsiConsole.MarkupLineInterpolated($"[grey]reused[/] {stage} (inputs unchanged)");
    }

    public void StageFinished(string stage, TimeSpan elapsed, string? detail)
    {
        var suffix = detail is null ? "" : $" — {detail}";
        if (progress is null)
        {
            Console.WriteLine($"lab: {stage}: done in {elapsed.TotalSeconds:0.0} s{suffix}");
            return;
        }
        if (_tasks.TryGetValue(stage, out var task))
        {
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
        // The result goes on its own line: appended to the bar's description it would squeeze the bar on narrow terminals.
        AnsiConsole.MarkupLineInterpolated($"[green]done[/] {stage} in {elapsed.TotalSeconds:0.0} s{suffix}");
    }

    public void Info(string message)
    {
        if (progress is null) Console.WriteLine($"lab: {message}");
        else AnsiConsole.MarkupLineInterpolated($"[blue]lab:[/] {message}");
    }
}
