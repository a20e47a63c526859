using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Server.Requests;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever usage</c>: the server's usage ledger summed by month, identity and model (requests, tokens, compute seconds,
/// cost), set beside what the lab's advice predicted for the chosen lever (requests a month, cost per 1,000 answers,
/// cost a month), so a team sees whether the decision's cost math held.
/// </summary>
internal sealed class UsageCommand : ILeverCommand
{
    public Command Create()
    {
        var month = new Option<string?>("--month") { Description = "YYYY-MM to report (default: the latest month in the ledger)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var command = new Command("usage", "What the server answered, by month, identity and model, and its cost beside the advisor's prediction.") { month, json, workspace };
        command.SetAction(parse => Run(parse.GetValue(month), parse.GetValue(json), parse.GetValue(workspace), TimeProvider.System));
        return command;
    }

    private sealed record Row(string Identity, string Model, int Requests, long PromptTokens, long CompletionTokens, double ComputeSeconds, double? CostUsd);

    private sealed record Prediction(string Lever, string? Recipe, double RequestsPerMonth, double Per1kUsd, double MonthlyUsd, string Source);

    internal static int Run(string? monthText, bool json, string? workspaceDir, TimeProvider time)
    {
        var ws = Workspace.Open(workspaceDir);
        var folder = UsageLedger.Folder(ws);
        var all = RequestLogReader.Usage(folder);
        if (all.Count == 0)
            throw new LeverUserException($"{Path.Combine(folder, RequestLog.UsageFile)}: no usage recorded yet", "serve with `lever serve` in this workspace; every answered request is counted");
        var month = monthText is null ? Month(all.Max(r => r.Time)) : ParseMonth(monthText);
        var inMonth = all.Where(r => Month(r.Time) == month).ToList();
        var rows = inMonth.GroupBy(r => (r.Identity, r.Model)).OrderBy(g => g.Key.Identity, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => new Row(g.Key.Identity, g.Key.Model, g.Count(), g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.Milliseconds) / 1000,
                g.All(r => r.CostUsd is null) ? null : g.Sum(r => r.CostUsd ?? 0)))
            .ToList();
        var requests = rows.Sum(r => r.Requests);
        var cost = rows.Sum(r => r.CostUsd ?? 0);
        // The share of the month the ledger covers: up to now for the current month, the whole month for a past one.
        var start = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddMonths(1);
        var now = time.GetUtcNow();
        var covered = Math.Clamp(((now < end ? now : end) - start).TotalDays, 1.0 / 24, (end - start).TotalDays);
        var scale = (end - start).TotalDays / covered;
        var prediction = Predicted(ws);
        var per1k = requests == 0 ? 0 : cost / requests * 1000;

        if (json)
        {
            var o = new JsonObject
            {
                ["month"] = month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                ["ledger"] = Path.Combine(folder, RequestLog.UsageFile),
                ["days_covered"] = Math.Round(covered, 2),
                ["rows"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
                {
                    ["identity"] = r.Identity, ["model"] = r.Model, ["requests"] = r.Requests, ["prompt_tokens"] = r.PromptTokens,
                    ["completion_tokens"] = r.CompletionTokens, ["compute_seconds"] = Math.Round(r.ComputeSeconds, 3), ["cost_usd"] = r.CostUsd,
                })]),
                ["actual"] = new JsonObject
                {
                    ["requests"] = requests, ["cost_usd"] = cost, ["cost_per_1k_answers_usd"] = per1k,
                    ["requests_per_month_at_this_rate"] = Math.Round(requests * scale), ["monthly_usd_at_this_rate"] = cost * scale,
                },
                ["predicted"] = prediction is null ? null : new JsonObject
                {
                    ["lever"] = prediction.Lever, ["recipe"] = prediction.Recipe, ["requests_per_month"] = prediction.RequestsPerMonth,
                    ["cost_per_1k_answers_usd"] = prediction.Per1kUsd, ["monthly_usd"] = prediction.MonthlyUsd, ["source"] = prediction.Source,
                },
            };
            Console.WriteLine(o.ToJsonString());
            return 0;
        }

        Console.WriteLine($"usage {month:yyyy-MM} ({Path.Combine(folder, RequestLog.UsageFile)}; {covered.ToString("0.#", CultureInfo.InvariantCulture)} of {(end - start).TotalDays:0} days)");
        string[] header = ["identity", "model", "requests", "prompt tokens", "completion tokens", "compute s", "cost USD"];
        var cells = rows.Select(r => new[] { r.Identity, r.Model, N(r.Requests), N(r.PromptTokens), N(r.CompletionTokens), F(r.ComputeSeconds, "0.0"), r.CostUsd is { } c ? Usd(c) : "-" })
            .Append(["total", "", N(requests), N(rows.Sum(r => r.PromptTokens)), N(rows.Sum(r => r.CompletionTokens)), F(rows.Sum(r => r.ComputeSeconds), "0.0"), Usd(cost)]).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Max(c => c[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", header.Select((h, i) => i < 2 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))));
        foreach (var c in cells) Console.WriteLine(string.Join("  ", c.Select((v, i) => i < 2 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))));
        Console.WriteLine($"actual: {N(requests)} requests → {N((long)Math.Round(requests * scale))} a month at this rate; ${Usd(per1k)} per 1,000 answers → ${Usd(cost * scale)} a month at this rate");
        if (prediction is null)
        {
            Console.WriteLine("predicted: no lab advice in this workspace (run `lever lab` to measure and price the levers)");
            return 0;
        }
        Console.WriteLine($"predicted ({prediction.Source}): {prediction.Lever}{(prediction.Recipe is null ? "" : $" with recipe '{prediction.Recipe}'")}: {N((long)prediction.RequestsPerMonth)} requests a month, ${Usd(prediction.Per1kUsd)} per 1,000 answers → ${Usd(prediction.MonthlyUsd)} a month");
        Console.WriteLine($"actual vs predicted: volume {Ratio(requests * scale, prediction.RequestsPerMonth)}, cost per answer {Ratio(per1k, prediction.Per1kUsd)}, monthly cost {Ratio(cost * scale, prediction.MonthlyUsd)}");
        return 0;
    }

    /// <summary>The lab advice's chosen lever and its priced option from <c>.lever/lab/summary.json</c>, or null when there is none.</summary>
    private static Prediction? Predicted(Workspace ws)
    {
        var path = Path.Combine(ws.StateDir, "lab", "summary.json");
        if (!File.Exists(path)) return null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new LeverUserException($"{path}: not JSON ({e.Message})", "re-run `lever lab` to rewrite it");
        }
        var rec = root?["recommendation"];
        if (rec?["primary"]?.GetValue<string>() is not { } lever) return null;
        var option = rec["options"]?.AsArray().FirstOrDefault(o => o?["lever"]?.GetValue<string>() == lever);
        var volume = rec["workload"]?["workload"]?["requests_per_month"]?.GetValue<double>() ?? rec["requests_per_month"]?.GetValue<double>();
        if (option is null || volume is null) return null;
        var recipe = rec["recipe"]?.GetValue<string>() ?? root!["recipes"]?.AsArray().FirstOrDefault(r => r?["lever"]?.GetValue<string>() == lever)?["name"]?.GetValue<string>();
        return new Prediction(lever, recipe, volume.Value, option["cost_per_1k_answers_usd"]?.GetValue<double>() ?? 0, option["monthly_usd"]?.GetValue<double>() ?? 0,
            $"{Path.GetRelativePath(ws.Root, path)}, {rec["today"]?.GetValue<string>() ?? "undated"}");
    }

    private static DateOnly Month(DateTimeOffset t) => new(t.UtcDateTime.Year, t.UtcDateTime.Month, 1);

    private static DateOnly ParseMonth(string text) =>
        DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new LeverUserException($"--month {text}: not a month", "use YYYY-MM, e.g. 2026-12");

    private static string Ratio(double actual, double predicted) => predicted <= 0 ? "- (predicted 0)" : F(actual / predicted, "0.00") + "×";

    private static string N(long v) => v.ToString("#,0", CultureInfo.InvariantCulture);

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Usd(double v) => v == 0 ? "0" : v < 0.01 ? F(v, "0.00000") : F(v, "#,0.00");
}
