using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Evals;
using Lever.Evals.Running;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever compare RUN...</c>: eval runs side by side with confidence intervals, a paired test and the quality/cost frontier.</summary>
internal sealed class EvalCompareCommand : ILeverCommand
{
    public Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "run ids (folders under .lever/runs) or paths; the first is the baseline", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "print the comparison as JSON" };
        var output = new Option<string?>("--html") { Description = "write the table and the quality-versus-cost chart to this HTML file" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var command = new Command("compare", "Compare eval runs: quality with 95% CIs, McNemar test vs the first run, latency, cost, frontier.") { runs, json, output, workspace };
        command.SetAction(parse => Run(parse.GetValue(runs)!, parse.GetValue(json), parse.GetValue(output), parse.GetValue(workspace)));
        return command;
    }

    private static int Run(string[] runs, bool json, string? html, string? workspaceDir)
    {
        var ws = Workspace.Open(workspaceDir);
        var dirs = runs.Select(r => Directory.Exists(Path.Combine(ws.RunsDir, r)) ? Path.Combine(ws.RunsDir, r) : Path.GetFullPath(r, ws.Root)).ToList();
        foreach (var d in dirs)
        {
            if (!Directory.Exists(d)) throw new LeverUserException($"run '{d}' not found", $"list runs with `ls {ws.RunsDir}`");
        }
        var result = RunComparison.Compare(dirs);
        var htmlPath = html ?? Path.Combine(ws.RunsDir, "compare.html");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(htmlPath))!);
        File.WriteAllText(htmlPath, RunComparison.Html(result));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, EvalJson.Options));
            return 0;
        }
        static string F(double v, string f = "0.###") => v.ToString(f, CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("run", "quality [95% CI]", "$/1k", "p50 ms", "p95 ms", "vs first: +/−, McNemar p", "frontier");
        foreach (var r in result.Rows)
        {
            table.AddRow(Markup.Escape(r.Run), $"{F(r.Quality)} [{F(r.QualityCiLow)}, {F(r.QualityCiHigh)}]", F(r.CostPer1kUsd, "0.####"), F(r.LatencyMsP50, "0.0"), F(r.LatencyMsP95, "0.0"),
                $"+{r.OnlyThisRight}/−{r.OnlyBaselineRight}, p={F(r.McNemarP, "0.####")}", result.Frontier.Contains(r.Run) ? "yes" : "");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"chart: {Markup.Escape(htmlPath)}");
        return 0;
    }
}
