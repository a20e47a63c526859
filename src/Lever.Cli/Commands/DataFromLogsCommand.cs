using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lever.Core;
using Lever.Server.Requests;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever data from-logs -o FILE</c>: a window of <c>lever serve --log-requests</c>'s request log as a training file
/// (chat <c>{"messages"}</c>, the answer as the last assistant turn) or an eval set (<c>{"id","input","expected"}</c>),
/// filtered and de-duplicated — the serve → log → fine-tune → gate → promote loop's first step.
/// </summary>
internal static class DataFromLogsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "JSONL file to write", Required = true };
        var logs = new Option<string?>("--logs") { Description = "the server's folder (default: .lever/server of the workspace)" };
        var since = new Option<string?>("--since") { Description = "first day to include, YYYY-MM-DD (UTC)" };
        var until = new Option<string?>("--until") { Description = "last day to include, YYYY-MM-DD (UTC)" };
        var model = new Option<string?>("--model", "-m") { Description = "only requests answered by this served model id" };
        var identity = new Option<string?>("--identity") { Description = "only requests of this identity id" };
        var format = new Option<string>("--as") { Description = "train (chat messages, the answer as the last assistant turn) | eval ({id, input, expected})", DefaultValueFactory = _ => "train" };
        var minChars = new Option<int>("--min-answer-chars") { Description = "drop answers shorter than this", DefaultValueFactory = _ => 1 };
        var keepDuplicates = new Option<bool>("--keep-duplicates") { Description = "keep repeated (conversation, answer) pairs (default: the first of each)" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var command = new Command("from-logs", "Turn the server's request log (lever serve --log-requests) into a training file or an eval set.")
        {
            output, logs, since, until, model, identity, format, minChars, keepDuplicates, workspace,
        };
        command.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(logs), parse.GetValue(since), parse.GetValue(until), parse.GetValue(model), parse.GetValue(identity),
            parse.GetValue(format)!, parse.GetValue(minChars), parse.GetValue(keepDuplicates), parse.GetValue(workspace)));
        return command;
    }

    private static int Run(string output, string? logs, string? since, string? until, string? model, string? identity, string format, int minChars, bool keepDuplicates, string? workspaceDir)
    {
        if (format is not ("train" or "eval")) throw new LeverUserException($"--as {format}: unknown format", "use --as train or --as eval");
        var dir = logs ?? UsageLedger.Folder(Workspace.Open(workspaceDir));
        var from = Day(since, "--since");
        var to = Day(until, "--until");
        if (from > to) throw new LeverUserException($"--since {since} is after --until {until}", "swap them");
        var read = RequestLogReader.Requests(dir, from, to);
        int filtered = 0, empty = 0, duplicates = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var r in read)
        {
            if ((model is not null && r.Model != model) || (identity is not null && r.Identity != identity)) { filtered++; continue; }
            var lastUser = r.Messages!.LastOrDefault(m => m.Role == "user");
            if (lastUser is null || r.Answer!.Trim().Length < Math.Max(1, minChars)) { empty++; continue; }
            if (!keepDuplicates && !seen.Add(Key(r))) { duplicates++; continue; }
            lines.Add(format == "train"
                ? JsonSerializer.Serialize(new { messages = r.Messages!.Append(new RecordedMessage("assistant", r.Answer!)) })
                : JsonSerializer.Serialize(new
                {
                    id = $"log-{lines.Count + 1:D5}", input = lastUser.Content, expected = r.Answer,
                    metadata = new { time = r.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), model = r.Model, identity = r.Identity },
                }));
        }
        if (lines.Count == 0)
            throw new LeverUserException($"{dir}: no request left to write ({read.Count} read, {filtered} filtered out, {empty} without a user message or answer, {duplicates} duplicates)",
                "widen --since/--until, or drop --model/--identity");
        var full = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        File.WriteAllText(tmp, string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        File.Move(tmp, full, overwrite: true);
        Console.WriteLine($"read {read.Count} logged requests; kept {lines.Count} ({filtered} filtered out, {empty} without a user message or answer, {duplicates} duplicates dropped)");
        Console.WriteLine($"wrote {full} ({format}){(format == "train" ? $"; check it with: lever data validate {output}" : "")}");
        return 0;
    }

    private static DateOnly? Day(string? value, string option)
    {
        if (value is null) return null;
        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new LeverUserException($"{option} {value}: not a date", "use YYYY-MM-DD, e.g. 2026-12-01");
    }

    private static string Key(LoggedRequest r)
    {
        var text = string.Join("\u0001", r.Messages!.Select(m => m.Role + "\u0002" + m.Content)) + "\u0003" + r.Answer;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
