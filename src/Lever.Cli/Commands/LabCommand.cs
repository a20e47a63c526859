using System.CommandLine;
using Lever.Core;
using Lever.Core.Levers;
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
        command.Subcommands.Add(LabInitCommand.Create());
        return command;
    }

    private static async Task<int> RunAsync(string? workspaceDir, CancellationToken ct)
    {
        var ws = Workspace.Open(workspaceDir);
        if (!Directory.Exists(ws.Root)) throw new LeverUserException($"{ws.Root}: workspace folder not found", "give a folder that holds a lever.yaml, e.g. samples/spam");
        var config = LabConfiguration.Load(ws);
        if (config.Options.Task == "qa") return await QaLabCli.RunAsync(ws, config, ct).ConfigureAwait(false);
        var connection = Composition.Connection(ws);
        var recipes = LabRunner.Recipes(config, ws, connection);
        AnsiConsole.MarkupLineInterpolated($"[bold]lever lab[/] {ws.Root}: {recipes.Count} recipe(s), priced at {LabFormat.Volume(config.RequestsPerMonth)} answers/month");
        if (config.Options.Inference.IsLlamaCpp)
            AnsiConsole.MarkupLineInterpolated($"inference: llama.cpp on {config.Options.Inference.Quantization} GGUF exports of the lab's models (training on the engine)");
        if (recipes.OfType<Lever.Lab.Recipes.Provider.HostedPromptRecipe>().FirstOrDefault() is { } hosted)
            AnsiConsole.MarkupLineInterpolated($"hosted model: {hosted.Model}{(config.Options.Provider.MaxTestItems is { } cap ? $", at most {cap} test items per hosted recipe" : "")}");

        var report = await LabProgressObserver.RunAsync(observer => new LabRunner(ws, config, recipes, observer, Lever.Reports.LabPages.Instance)
        {
            Inference = new LabInference(config.Options.Inference, connection, (model, gguf, type) => GgufFiles.Write(model, gguf, type)),
        }.RunAsync(ct)).ConfigureAwait(false);

        // Compact enough for an 80-column terminal: the lever sits under the recipe name, numbers in short forms.
        // An extraction lab shows its own metrics: exact match, token-F1 and (JSON outputs) field-level F1.
        var extraction = report.Results.Any(r => r.Extraction is not null);
        var table = new Table().Border(TableBorder.None).Title(extraction
                ? "[bold]lab results on the test split[/] (EM: exact match; tokF1: token-F1; fldF1: field F1)"
                : "[bold]lab results on the test split[/] (acc: accuracy; F1: macro-F1; p50/p95: answer latency)")
            .AddColumns(extraction ? ["recipe", "EM", "tokF1", "fldF1", "p50", "p95", "train", "$/1k", "$/month"] : ["recipe", "acc", "F1", "p50", "p95", "train", "$/1k", "$/month"]);
        foreach (var c in table.Columns) c.PadLeft(0).PadRight(2);
        table.Columns[0].NoWrap();
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        var picked = report.RecommendedRecipe;
        foreach (var r in report.Results.OrderByDescending(r => r.Quality))
        {
            var name = (r.Name == picked ? $"[green]{Markup.Escape(r.Name)} *[/]" : Markup.Escape(r.Name)) + $"\n[grey]{Markup.Escape(LeverKinds.Name(r.Lever))}[/]";
            string[] quality = r.Extraction is { } x
                ? [LabFormat.Pct(x.ExactMatch), F(x.TokenF1, "0.000"), x.FieldF1 is { } f ? F(f, "0.000") : "-"]
                : [LabFormat.Pct(r.Metrics.Accuracy), F(r.Metrics.MacroF1, "0.000")];
            table.AddRow([name, .. quality, ShortMs(r.LatencyMsP50), ShortMs(r.LatencyMsP95), F(r.TrainSeconds, "0") + "s", ShortUsd(r.Cost.Per1kUsd), ShortUsd(r.Cost.MonthlyUsd)]);
        }
        AnsiConsole.Write(table);
        if (report.HostedQuotes.Count > 0)
        {
            // Priced, not measured: the price book's hosted models for this data, the cheapest three and the dearest.
            var q = report.HostedQuotes;
            var shown = q.Take(3).Concat(q.Count > 3 ? [q[^1]] : []).Select(x => $"{x.Model} {ShortUsd(x.MonthlyUsd)}");
            AnsiConsole.MarkupLineInterpolated($"[bold]hosted, priced not measured[/] ($/month, zero-shot, ≈{q[0].InputTokens:0} input tokens): {string.Join(", ", shown)}{(q.Count > 4 ? $" ({q.Count} models in report.html)" : "")}");
        }
        var recommendation = report.Recommendation;
        AnsiConsole.MarkupLineInterpolated($"[bold]recommendation:[/] {(recommendation.Primary is { } primary ? LeverKinds.Name(primary) : "none")} ({picked ?? "-"})");
        if (recommendation.Summary is { } summary) AnsiConsole.MarkupLineInterpolated($"  {summary}");
        // One sentence and the table above are the advice; short reasons follow, the long ones stay in the report (collapsed) and summary.json.
        foreach (var line in recommendation.Rationale.Where(l => l.Length <= 300)) AnsiConsole.MarkupLineInterpolated($"  - {line}");
        if (recommendation.Rationale.Count(l => l.Length > 300) is var longer and > 0)
            AnsiConsole.MarkupLineInterpolated($"  ({longer} longer reason(s): report.html, and recommendation.rationale in summary.json)");
        foreach (var line in recommendation.Warnings) AnsiConsole.MarkupLineInterpolated($"  [yellow]warning:[/] {line}");
        AnsiConsole.MarkupLineInterpolated($"stages: {report.Ran.Count} ran, {report.Reused.Count} reused");
        AnsiConsole.MarkupLineInterpolated($"report: {report.ReportPath}");
        AnsiConsole.MarkupLineInterpolated($"summary: {report.SummaryPath}");
        // Lineage: the recommended recipe becomes a registry version, read back from the lab's own files.
        RegistryCli.RecordLab(ws, report.SummaryPath, config.Options);
        // The local rows are saved and reported; a provider that failed still fails the command, with its own error and exit code.
        if (report.ProviderFailure is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return 0;
    }

    private static string F(double v, string format) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);

    private static string ShortMs(double ms) => ms < 10 ? F(ms, "0.00") + "ms" : F(ms, "#,0") + "ms";

    private static string ShortUsd(double usd) => usd is > 0 and < 0.01 ? F(usd, "0.0e+0") : usd < 1000 ? F(usd, "0.00") : F(usd, "#,0");
}
