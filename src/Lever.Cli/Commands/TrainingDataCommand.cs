using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Training.Data;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever data validate FILE</c>: is this training file usable, and is it enough for the task.</summary>
internal sealed class TrainingDataCommand : ILeverCommand
{
    public Command Create()
    {
        var file = new Argument<string>("file") { Description = "JSONL training file: {\"text\"}, {\"prompt\",\"completion\"} or {\"messages\"} per line" };
        var task = new Option<string?>("--task") { Description = "what the data should teach: classification | extraction | style | behaviour (judges data sufficiency)" };
        var model = new Option<string?>("--model", "-m") { Description = "model folder whose tokenizer and chat template count the tokens (default: estimate at ~4 characters per token)" };
        var seqLen = new Option<int>("--seq-len") { Description = "sequence length for the truncation count", DefaultValueFactory = _ => 2048 };
        var json = new Option<bool>("--json") { Description = "print the report as one JSON object" };
        var validate = new Command("validate", "Check a training file: counts, token lengths, duplicates, bad lines, tokens per epoch, sufficiency.") { file, task, model, seqLen, json };
        validate.SetAction(parse => Validate(parse.GetValue(file)!, parse.GetValue(task), parse.GetValue(model), parse.GetValue(seqLen), parse.GetValue(json)));
        return new Command("data", "Work with training data files.") { validate, DataFromLogsCommand.Create() };
    }

    private static int Validate(string file, string? taskName, string? model, int seqLen, bool json)
    {
        DataTask? task = taskName is null ? null : ParseTask(taskName);
        var tokenizer = model is null ? null : EngineTokenizer.Load(model);
        var r = DataValidator.Validate(file, tokenizer, seqLen, task, tokenizer?.Chat);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                file = r.File, format = r.Format?.ToString(), lines = r.Lines, valid = r.ValidExamples, unique = r.UniqueExamples,
                invalid = r.InvalidCount, invalid_lines = r.Invalid.Select(p => new { line = p.Line, reason = p.Reason }),
                blank_lines = r.BlankLines, duplicates = r.DuplicateCount, duplicate_lines = r.Duplicates.Select(d => new { line = d.Line, first = d.FirstLine }),
                tokens_p50 = r.TokensP50, tokens_p95 = r.TokensP95, tokens_max = r.TokensMax, seq_len = r.SeqLen, truncated = r.Truncated,
                training_tokens_per_epoch = r.TrainingTokensPerEpoch, tokens_estimated = r.TokensEstimated, distinct_outputs = r.DistinctOutputs,
                sufficiency = r.Sufficiency is { } s ? new { task = s.Task.ToString().ToLowerInvariant(), verdict = s.Verdict, advice = s.Advice } : null,
            }));
        }
        else
        {
            Render(r);
        }
        foreach (var p in r.Invalid) Console.Error.WriteLine($"{file}: line {p.Line}: {p.Reason}");
        if (r.InvalidCount > r.Invalid.Count) Console.Error.WriteLine($"{file}: and {r.InvalidCount - r.Invalid.Count} more invalid lines");
        if (r.InvalidCount > 0)
        {
            Console.Error.WriteLine($"error: {file}: {r.InvalidCount} invalid line{(r.InvalidCount == 1 ? "" : "s")} (listed above)");
            Console.Error.WriteLine("hint: fix or remove them, then validate again");
            return LeverUserException.ExitCode;
        }
        if (r.ValidExamples == 0)
        {
            Console.Error.WriteLine($"error: {file}: no examples");
            Console.Error.WriteLine("hint: put one JSON object per line, e.g. {\"prompt\": \"...\", \"completion\": \"...\"}");
            return LeverUserException.ExitCode;
        }
        return 0;
    }

    internal static DataTask ParseTask(string name) => name.ToLowerInvariant() switch
    {
        "classification" => DataTask.Classification,
        "extraction" or "transformation" => DataTask.Extraction,
        "style" or "format" => DataTask.Style,
        "behaviour" or "behavior" => DataTask.Behaviour,
        _ => throw new LeverUserException($"--task {name}: unknown task", "use classification, extraction, style or behaviour"),
    };

    private static void Render(DataValidationReport r)
    {
        var est = r.TokensEstimated ? " (estimated, ~4 chars/token; pass -m for exact counts)" : "";
        var t = new Table().Border(TableBorder.Rounded).AddColumns("", "");
        t.AddRow("file", Markup.Escape(r.File));
        t.AddRow("format", r.Format is { } f ? Markup.Escape(TrainingRecordParser.Describe(f)) : "-");
        t.AddRow("lines", Inv($"{r.Lines:N0} ({r.ValidExamples:N0} valid, {r.UniqueExamples:N0} distinct)"));
        t.AddRow("invalid lines", r.InvalidCount == 0 ? "[green]0[/]" : Inv($"[red]{r.InvalidCount:N0}[/] at {Lines(r.Invalid.Select(p => p.Line))}"));
        t.AddRow("blank lines", r.BlankLines.Count == 0 ? "0" : Inv($"{r.BlankLines.Count} at {Lines(r.BlankLines)} (skipped)"));
        t.AddRow("duplicates", r.DuplicateCount == 0 ? "0" : Inv($"[yellow]{r.DuplicateCount:N0}[/]: {string.Join(", ", r.Duplicates.Take(10).Select(d => $"line {d.Line} = line {d.FirstLine}"))}{(r.DuplicateCount > 10 ? ", …" : "")} (dropped when training)"));
        t.AddRow("tokens / example", Markup.Escape(Inv($"p50 {r.TokensP50:N0}, p95 {r.TokensP95:N0}, max {r.TokensMax:N0}{est}")));
        t.AddRow(Inv($"over {r.SeqLen} tokens"), r.Format == DatasetFormat.Text ? "0 (text is packed, never cut)" : Inv($"{r.Truncated:N0} would be truncated"));
        t.AddRow("training tokens / epoch", Markup.Escape(Inv($"{r.TrainingTokensPerEpoch:N0}{est}")));
        if (r.Sufficiency is { } s)
        {
            var colour = s.Verdict == "too few" ? "red" : s.Verdict == "sufficient" ? "green" : "yellow";
            t.AddRow(Inv($"sufficiency ({s.Task.ToString().ToLowerInvariant()})"), $"[{colour}]{s.Verdict}[/]: {Markup.Escape(s.Advice)}");
        }
        AnsiConsole.Write(t);
    }

    private static string Lines(IEnumerable<int> lines)
    {
        var list = lines.ToList();
        return "line" + (list.Count == 1 ? " " : "s ") + string.Join(", ", list.Take(20)) + (list.Count > 20 ? ", …" : "");
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
