using Lever.Reports;
using Lever.Core.Prices;
using System.CommandLine;
using System.Globalization;
using Lever.Advisor;
using Lever.Core;
using Lever.Core.Levers;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever advise</c>: which lever to pull for a workload, what it costs, and the path to it.</summary>
internal sealed class AdviseCommand : ILeverCommand
{
    public Command Create()
    {
        var workload = new Option<string?>("--workload") { Description = "workload YAML (standalone, or a lever.yaml with a workload: section; default: ./lever.yaml)" };
        var json = new Option<bool>("--json") { Description = "print the advice as JSON (primary, plan, rationale, warnings, data_sufficiency, options)" };
        var html = new Option<string?>("--html") { Description = "also write a self-contained HTML report with the cost-versus-volume chart" };
        var policy = new Option<string?>("--policy") { Description = "policy YAML overriding the default thresholds (see --print-policy)" };
        var workspace = new Option<string?>("--workspace") { Description = "workspace folder whose lever.yaml supplies prices: and policy: (default: current directory)" };
        var printPolicy = new Option<bool>("--print-policy") { Description = "print the default policy YAML (a starting point for --policy) and exit" };
        var today = new Option<string?>("--today") { Description = "advise as of this date, YYYY-MM-DD (default: today, UTC): hosted offers closed or closing then are not planned" };
        var command = new Command("advise", "Recommend prompting, caching, RAG, fine-tuning, distillation or pre-training for a workload, with the cost math.")
        {
            workload, json, html, policy, workspace, printPolicy, today,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(printPolicy))
            {
                Console.Out.Write(AdvisorPolicy.DefaultYaml);
                return 0;
            }
            var ws = Workspace.Open(parse.GetValue(workspace));
            var inputs = AdvisorInputs.Load(parse.GetValue(workload), ws.ConfigPath, parse.GetValue(policy));
            var date = DateOnly.FromDateTime(DateTime.UtcNow);
            if (parse.GetValue(today) is { } t && !DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
                throw new LeverUserException($"--today: '{t}' is not a date", "write it as YYYY-MM-DD, e.g. --today 2027-02-01");
            var advice = Advisor.Advisor.Advise(inputs.Workload, inputs.Prices, inputs.Policy, inputs.Evidence, date);
            if (parse.GetValue(html) is { } htmlPath)
            {
                try
                {
                    File.WriteAllText(htmlPath, AdviceHtml.Write(advice));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
                {
                    throw new LeverUserException($"{htmlPath}: cannot write the report: {ex.Message}", "pass a path in a writable folder to --html");
                }
            }
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(AdviceJson.Write(advice));
                return 0;
            }
            Render(advice);
            if (parse.GetValue(html) is { } written) AnsiConsole.MarkupLineInterpolated($"[grey]report written to {Path.GetFullPath(written)}[/]");
            return 0;
        });
        return command;
    }

    private static void Render(Advice a)
    {
        // Piped output has no terminal width; Spectre then assumes 80 columns and wraps every cell. Honour
        // $COLUMNS (as shells export it) or use a width that fits the table on one line per lever.
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var cols) && cols > 40 ? cols : 160;
        var primary = LeverKinds.Name(a.Primary);
        // One sentence first, then the evidence it rests on; the long reasoning follows (and stays whole in --json).
        AnsiConsole.Write(new Panel(Markup.Escape(a.Recommendation.Length > 0 ? a.Recommendation : a.Summary)).Header($"[bold green] primary: {primary} [/]").Border(BoxBorder.Rounded));
        if (a.Measured.Count > 0)
        {
            var evidence = new Table().Border(TableBorder.Rounded).Title("measured evidence")
                .AddColumn("recipe").AddColumn(new TableColumn("lever").NoWrap()).AddColumn(new TableColumn("quality (95% CI)").RightAligned())
                .AddColumn(new TableColumn("$/1k").RightAligned()).AddColumn(new TableColumn("$/month").RightAligned()).AddColumn("gain vs best simpler").AddColumn("decision");
            foreach (var m in a.Measured)
            {
                var style = m.Status == "primary" ? "bold green" : m.Status == "excluded" ? "grey" : "";
                string S(string text) => style.Length == 0 ? Markup.Escape(text) : $"[{style}]{Markup.Escape(text)}[/]";
                var q = Pct(m.Quality) + (m.QualityLow is { } lo && m.QualityHigh is { } hi ? $" ({Pct(lo)}–{Pct(hi)})" : "");
                var gain = m.GainVsSimpler is { } g ? $"{g.Text} vs {m.SimplerRecipe}{(g.Demonstrated ? "" : $" ({g.Verdict})")}" : "—";
                evidence.AddRow(S(m.Recipe), S(LeverKinds.Name(m.Lever)), S(q), S(m.CostPer1kUsd is { } c ? Small(c) : "—"), S(m.MonthlyUsd is { } mo ? Small(mo) : "—"), S(gain), S(m.Status));
            }
            AnsiConsole.Write(evidence);
        }
        var table = new Table().Border(TableBorder.Rounded).Title("options at the declared volume")
            .AddColumn(new TableColumn("lever").NoWrap()).AddColumn("model (route)").AddColumn(new TableColumn("one-time").RightAligned())
            .AddColumn(new TableColumn("per 1k answers").RightAligned()).AddColumn(new TableColumn("monthly").RightAligned())
            .AddColumn(new TableColumn("12-month TCO").RightAligned()).AddColumn(new TableColumn("p95 ms").RightAligned()).AddColumn("vs primary");
        foreach (var o in a.Options)
        {
            var name = LeverKinds.Name(o.Lever);
            var style = o.Lever == a.Primary ? "bold green" : o.Viable ? "" : "grey";
            string S(string text) => style.Length == 0 ? Markup.Escape(text) : $"[{style}]{Markup.Escape(text)}[/]";
            table.AddRow(S(name + (o.Viable ? "" : " (n/a)")), S($"{o.Model} ({o.Route})"), S(Usd(o.OneTimeUsd)), S(Usd(o.CostPer1kAnswersUsd, 3)),
                S(Usd(o.MonthlyUsd)), S(Usd(o.Tco12MonthsUsd)), S(o.LatencyP95Ms.ToString("#,0", CultureInfo.InvariantCulture)), S(o.BreakEvenNote));
        }
        AnsiConsole.Write(table);
        var d = a.DataSufficiency;
        AnsiConsole.MarkupLineInterpolated($"[bold]data:[/] {d.HaveExamples:#,0} labeled examples; {d.Band} band {d.MinExamples:#,0}–{d.RecommendedExamples:#,0} → {(d.Sufficient ? "sufficient" : $"{d.MissingExamples:#,0} short")}");
        AnsiConsole.MarkupLine("[bold]why:[/]");
        foreach (var r in a.Rationale) AnsiConsole.MarkupLineInterpolated($"  • [blue]{r.Rule}[/] {r.Text}");
        if (a.Warnings.Count > 0)
        {
            AnsiConsole.MarkupLine("[bold yellow]warnings:[/]");
            foreach (var w in a.Warnings) AnsiConsole.MarkupLineInterpolated($"  [yellow]![/] {w}");
        }
        AnsiConsole.MarkupLine("[bold]plan:[/]");
        for (var i = 0; i < a.Plan.Count; i++) AnsiConsole.MarkupLineInterpolated($"  {i + 1}. {a.Plan[i]}");
        AnsiConsole.MarkupLineInterpolated($"[grey]prices: {a.PriceBook}; policy: {a.Policy}; `--json` shows the basis of every figure[/]");
    }

    private static string Pct(double q) => (q * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Small(double v)
    {
        if (v <= 0) return "$0";
        if (v >= 0.01) return "$" + v.ToString(v >= 100 ? "#,0" : "#,0.00", CultureInfo.InvariantCulture);
        var decimals = Math.Min(12, 1 - (int)Math.Floor(Math.Log10(v)));
        return "$" + Math.Round(v, decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string Usd(double v, int decimals = 0) =>
        "$" + v.ToString(decimals == 0 || v >= 100 ? "#,0" : "#,0." + new string('0', decimals), CultureInfo.InvariantCulture);
}
