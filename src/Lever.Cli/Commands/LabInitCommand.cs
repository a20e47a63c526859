using System.CommandLine;
using System.Globalization;
using Lever.Lab.Import;

namespace Lever.Cli.Commands;

/// <summary><c>lever lab init WS --data FILE</c>: what the data holds, the task, and a lever.yaml for <c>lever lab WS</c>.</summary>
internal static class LabInitCommand
{
    public static Command Create()
    {
        var workspace = new Argument<string>("workspace") { Description = "the folder to set up (created when missing); lever.yaml goes there" };
        var data = new Option<string>("--data") { Description = "the data: JSONL ({text,label}, {input,output}, {prompt,completion}, {messages}) or CSV with a header", Required = true };
        var task = new Option<string?>("--task") { Description = "classification | extraction | qa (default: inferred, and the reason printed)" };
        var textField = new Option<string?>("--text-field") { Description = "the text field of classification rows" };
        var labelField = new Option<string?>("--label-field") { Description = "the label field of classification rows" };
        var inputField = new Option<string?>("--input-field") { Description = "the input field of input/output pairs" };
        var outputField = new Option<string?>("--output-field") { Description = "the output field of input/output pairs" };
        var test = new Option<string?>("--test") { Description = "a given test file (same fields); else the lab splits the data" };
        var corpus = new Option<string?>("--corpus") { Description = "for --task qa: the folder of documents the answers come from" };
        var volume = new Option<double>("--requests-per-month") { Description = "answers a month, for every cost", DefaultValueFactory = _ => 100_000 };
        var force = new Option<bool>("--force") { Description = "replace an existing lever.yaml" };
        var command = new Command("init", "Read a team's data, say what it holds (classes, lengths, duplicates, conflicts, the seeds' data-size band) and write a lever.yaml for `lever lab`.")
        {
            workspace, data, task, textField, labelField, inputField, outputField, test, corpus, volume, force,
        };
        command.SetAction(parse =>
        {
            var result = LabInit.Run(new LabInit.Request(parse.GetValue(workspace)!, parse.GetValue(data)!, parse.GetValue(task),
                new FieldChoice(parse.GetValue(textField), parse.GetValue(labelField), parse.GetValue(inputField), parse.GetValue(outputField)),
                parse.GetValue(test), parse.GetValue(corpus), parse.GetValue(volume), parse.GetValue(force)));
            foreach (var line in Describe(result)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    /// <summary>The report, one fact a line (plain lines: readable in a pipe or a CI log).</summary>
    internal static IEnumerable<string> Describe(LabInit.Result r)
    {
        var p = r.Profile;
        var inv = CultureInfo.InvariantCulture;
        yield return string.Create(inv, $"data: {r.Data.Path} ({r.Data.Format}, {p.Rows:N0} rows; fields {r.Data.Fields.Describe()})");
        yield return $"task: {r.Task} ({r.TaskReason})";
        if (p.Classes.Count > 0)
        {
            var shown = p.Classes.Take(12).Select(c => string.Create(inv, $"{c.Label} {c.Count:N0} ({100.0 * c.Count / p.Rows:0.0}%)"));
            var more = p.Classes.Count > 12 ? $", … {p.Classes.Count - 12} more" : "";
            yield return string.Create(inv, $"classes: {p.Classes.Count}: {string.Join(", ", shown)}{more}; imbalance {p.Imbalance:0.0}× (largest / smallest)");
        }
        var (a, b, c2, d) = p.InputTokens;
        yield return string.Create(inv, $"input length (≈ tokens, characters/4): p50 {a}, p90 {b}, p99 {c2}, max {d}");
        if (p.OutputTokens is var (oa, ob, oc, od)) yield return string.Create(inv, $"output length (≈ tokens): p50 {oa}, p90 {ob}, p99 {oc}, max {od}");
        var examples = p.NearDuplicatePairs.Count > 0 ? ", e.g. lines " + string.Join(", ", p.NearDuplicatePairs.Take(3).Select(x => FormattableString.Invariant($"{x.LineA}~{x.LineB}"))) : "";
        yield return FormattableString.Invariant($"duplicates: {p.ExactDuplicates:N0} row(s) repeat an earlier row's input exactly; {p.NearDuplicateCount:N0} near-duplicate pair(s) (word 3-gram Jaccard ≥ {NearDuplicates.Threshold}){examples}");
        if (p.ConflictCount > 0)
            yield return FormattableString.Invariant($"conflicting labels: {p.ConflictCount:N0} duplicate input(s) with different outputs, e.g. ")
                + string.Join("; ", p.Conflicts.Take(3).Select(x => FormattableString.Invariant($"lines {x.LineA} '{x.OutputA}' vs {x.LineB} '{x.OutputB}'")));
        if (p.TestOverlap is var (exact, near))
            yield return string.Create(inv, $"train/test overlap: {exact:N0} test row(s) repeat a training input exactly, {near:N0} nearly: those measure memory, not skill");
        var s = p.Sufficiency;
        yield return string.Create(inv, $"data size: {s.Rows:N0} rows vs the seeds' {s.Low:N0}–{(s.High is { } h ? h.ToString("N0", inv) : "")} for {s.Goal}: {s.Note}");
        yield return $"split: {r.Split}";
        yield return $"wrote {r.ConfigPath}";
        yield return $"next: lever lab {Path.GetDirectoryName(r.ConfigPath)}";
    }
}
