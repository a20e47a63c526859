using System.CommandLine;
using Lever.Core;
using Lever.Lab;
using Lever.Lab.Reporting;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever lab [workspace]</c>: every lever measured on the workspace's task, priced, reported, recommended.</summary>
internal sealed class LabCommand : ILeverCommand
{
    public Command Create()
    {
        var workspace = new Argument<string?>("workspace") { Description = "the workspace folder with a lever.yaml that has a lab: section (default: current directory)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("lab", "Run every applicable recipe on the workspace's task, measure each on held-out data, price it at the declared volume, and recommend.") { workspace };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(workspace), ct).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> RunAsync(string? workspaceDir, CancellationToken ct)
    {
        var ws = Workspace.Open(workspaceDir);
        if (!Directory.Exists(ws.Root)) throw new LeverUserException($"{ws.Root}: workspace folder not found", "give a folder that holds a lever.yaml, e.g. samples/spam");
        var config = LabConfiguration.Load(ws);
        var recipes = LabRunner.Recipes(config.Options);
        AnsiConsole.MarkupLineInterpolated($"[bold]lever lab[/] {ws.Root}: {recipes.Count} recipe(s), priced at {LabFormat.Volume(config.RequestsPerMonth)} answers/month");

        LabReport report;
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            report = await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx => await new LabRunner(ws, config, recipes, new LabProgressObserver(ctx)).RunAsync(ct).ConfigureAwait(false))
                .ConfigureAwait(false);
        }
        else
        {
            report = await new LabRunner(ws, config, recipes, new LabProgressObserver(null)).RunAsync(ct).ConfigureAwait(false);
        }

        var table = new Table().Border(TableBorder.Rounded).Title("[bold]lab results (test split)[/]")
            .AddColumns("recipe", "lever", "accuracy", "macro-F1", "p50", "p95", "train", "cost/1k", "per month");
        foreach (var c in table.Columns.Skip(2)) c.RightAligned();
        var picked = report.Recommendation["recipe"]?.GetValue<string>();
        foreach (var r in report.Results.OrderByDescending(r => r.Metrics.Accuracy))
        {
            var name = r.Name == picked ? $"[green]{Markup.Escape(r.Name)} *[/]" : Markup.Escape(r.Name);
            table.AddRow(name, Markup.Escape(r.Lever), LabFormat.Pct(r.Metrics.Accuracy), r.Metrics.MacroF1.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
                LabFormat.Ms(r.LatencyMsP50), LabFormat.Ms(r.LatencyMsP95), $"{r.TrainSeconds:0.0} s", Markup.Escape(LabFormat.Usd(r.Cost.Per1kUsd)), Markup.Escape(LabFormat.Usd(r.Cost.MonthlyUsd)));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[bold]recommendation:[/] {report.Recommendation["primary"]?.ToString() ?? "none"} ({picked ?? "-"})");
        if (report.Recommendation["rationale"] is System.Text.Json.Nodes.JsonArray why)
            foreach (var line in why) AnsiConsole.MarkupLineInterpolated($"  - {line?.ToString()}");
        if (report.Recommendation["warnings"] is System.Text.Json.Nodes.JsonArray warnings)
            foreach (var line in warnings) AnsiConsole.MarkupLineInterpolated($"  [yellow]warning:[/] {line?.ToString()}");
        AnsiConsole.MarkupLineInterpolated($"stages: {report.Ran.Count} ran, {report.Reused.Count} reused");
        AnsiConsole.MarkupLineInterpolated($"report: {report.ReportPath}");
        AnsiConsole.MarkupLineInterpolated($"summary: {report.SummaryPath}");
        return 0;
    }
}
