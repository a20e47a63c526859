using System.Globalization;
using System.Text;
using Lever.Core;

namespace Lever.Lab.Import;

/// <summary>
/// <c>lever lab init WS --data FILE</c>: reads a team's data, says what it found (<see cref="DataProfile"/>), infers
/// the task when not told, and writes a commented lever.yaml that references the data (never copies it), so
/// <c>lever lab WS</c> then measures every lever on it.
/// </summary>
public static class LabInit
{
    /// <summary>What init was asked to do.</summary>
    /// <param name="Workspace">The workspace folder (created when missing).</param>
    /// <param name="Data">The data file (JSONL or CSV).</param>
    /// <param name="Task">classification, extraction or qa; null: inferred.</param>
    /// <param name="Fields">Field names given on the command line.</param>
    /// <param name="Test">A given test file, or null.</param>
    /// <param name="Corpus">The documents folder of a QA task.</param>
    /// <param name="RequestsPerMonth">The workload's monthly answers (prices every recipe).</param>
    /// <param name="Force">Overwrite an existing lever.yaml.</param>
    public sealed record Request(string Workspace, string Data, string? Task, FieldChoice Fields, string? Test, string? Corpus, double RequestsPerMonth, bool Force);

    /// <summary>What init found and wrote.</summary>
    /// <param name="Data">The data as read.</param>
    /// <param name="Task">The task.</param>
    /// <param name="TaskReason">Why (inferred), or "given".</param>
    /// <param name="Profile">What the data holds.</param>
    /// <param name="ConfigPath">The lever.yaml written.</param>
    /// <param name="Split">The split the lab will use, in words.</param>
    public sealed record Result(ImportedDataset Data, string Task, string TaskReason, DataProfile Profile, string ConfigPath, string Split);

    /// <summary>Seed of the split written into lever.yaml.</summary>
    public const int Seed = 20021;

    /// <summary>Reads, profiles and writes; every problem with the inputs is a <see cref="LeverUserException"/> naming file:line and field.</summary>
    public static Result Run(Request request)
    {
        var root = Path.GetFullPath(request.Workspace);
        var config = Path.Combine(root, "lever.yaml");
        if (File.Exists(config) && !request.Force)
            throw new LeverUserException($"{config}: already exists", "pass --force to replace it, or init another folder");
        if (request.Task is not (null or LabTasks.Classification or LabTasks.Extraction or LabTasks.Qa))
            throw new LeverUserException($"--task {request.Task}: unknown task", "use classification, extraction or qa (or leave it out to infer it)");
        if ((request.Task == LabTasks.Qa) != (request.Corpus is not null))
            throw new LeverUserException(request.Corpus is null ? "--task qa needs --corpus DIR (the documents the answers come from)" : "--corpus is for --task qa",
                "a QA lab answers questions from a folder of documents: lever lab init WS --data questions.jsonl --task qa --corpus docs/");
        var dataPath = Path.GetFullPath(request.Data);
        var data = DatasetImporter.Read(dataPath, request.Fields);
        var test = request.Test is { } t ? DatasetImporter.Read(Path.GetFullPath(t), fields: data.Fields) : null;
        var (task, reason) = request.Task is { } given ? (given, "given with --task")
            : request.Corpus is not null ? (LabTasks.Qa, "a corpus was given") : LabTasks.Infer(data);
        if (task == LabTasks.Classification) DataProfile.CheckClassification(data, test);
        var corpus = request.Corpus is { } c ? Path.GetFullPath(c) : null;
        if (corpus is not null && !Directory.Exists(corpus)) throw new LeverUserException($"{corpus}: corpus folder not found", "give the folder of documents (HTML, Markdown or text)");
        if (task == LabTasks.Qa) Qa.QaQuestion.Load(dataPath); // the QA lab's questions carry metadata.page: refused here, not at run time
        var profile = DataProfile.Of(data, task, test);
        var split = test is not null ? $"the given test file ({test.Rows.Count:N0} rows); validation: 15% of each class of the data"
            : data.Fields.Order is { } order ? $"by time: the last 20% by '{order}' are the test; validation: 15% of the rest per class"
            : task == LabTasks.Extraction ? $"random, seed {Seed}: 20% of the rows are the test; validation: 15% of the rest"
            : $"stratified random, seed {Seed}: 20% of each class is the test; validation: 15% of the rest";
        Directory.CreateDirectory(root);
        File.WriteAllText(config, Yaml(root, request, data, test, task, reason, profile, corpus));
        return new Result(data, task, reason, profile, config, task == LabTasks.Qa ? "every question is a test item (nothing is trained on them)" : split);
    }

    private static string Yaml(string root, Request request, ImportedDataset data, ImportedDataset? test, string task, string reason, DataProfile profile, string? corpus)
    {
        string Rel(string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
        var sb = new StringBuilder();
        var when = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Written by `lever lab init` on {when} from {Rel(data.Path)} ({data.Rows.Count:N0} rows, {data.Format}; fields {data.Fields.Describe()}).");
        sb.AppendLine("# The data is referenced, not copied. Run every lever on it with: lever lab <this folder>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"# {profile.Sufficiency.Rows:N0} rows: {profile.Sufficiency.Note}.");
        sb.AppendLine();
        // The advisor's workload, measured where the data says it: the task, its classes, the labelled rows, token lengths.
        sb.AppendLine("workload:                     # what the advisor prices and decides on (docs/ADVISOR.md); measured from the data where it can be");
        sb.AppendLine("  task:");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    kind: {task}");
        if (profile.Classes.Count > 0) sb.AppendLine(CultureInfo.InvariantCulture, $"    classes: {profile.Classes.Count}");
        sb.AppendLine("  data:");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    labeled_examples: {data.Rows.Count}");
        sb.AppendLine("  workload:");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    requests_per_month: {request.RequestsPerMonth.ToString("R", CultureInfo.InvariantCulture)}   # answers a month: every recipe's monthly cost is priced at it; set yours");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    input_tokens: {Math.Max(1, (int)Math.Ceiling(data.Rows.Average(r => (r.Input.Length + 3) / 4.0)))}   # mean input, ≈ characters/4");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    output_tokens: {Math.Max(1, (int)Math.Ceiling(data.Rows.Average(r => (r.Output.Length + 3) / 4.0)))}");
        sb.AppendLine();
        if (task == LabTasks.Qa)
        {
            sb.AppendLine("indexes:");
            sb.AppendLine("  docs:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    path: {Rel(corpus!)}");
            sb.AppendLine();
            sb.AppendLine("lab:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  task: qa                  # {reason}");
            sb.AppendLine("  qa:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    questions: {Rel(data.Path)}");
            sb.AppendLine("    index: docs");
            return sb.ToString();
        }
        sb.AppendLine("lab:");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  task: {task}{new string(' ', Math.Max(1, 16 - task.Length))}# {reason}");
        sb.AppendLine("  dataset:");
        sb.AppendLine("    source: file");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    path: {Rel(data.Path)}");
        if (!data.Fields.Chat)
        {
            var (inField, outField) = task == LabTasks.Classification && data.Fields.Output == "label" ? ("text_field", "label_field") : ("input_field", "output_field");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    {inField}: {data.Fields.Input}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    {outField}: {data.Fields.Output}");
        }
        if (test is not null) sb.AppendLine(CultureInfo.InvariantCulture, $"    test: {Rel(test.Path)}            # the given test split; nothing of the data is held out for it");
        else
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"    split: {(data.Fields.Order is null ? "random" : "order")}             # random: {(task == LabTasks.Extraction ? "over all rows" : "stratified by class")}, seeded | order: the last rows by {(data.Fields.Order is { } o ? $"'{o}'" : "file order")} are the test");
            sb.AppendLine("    test_fraction: 0.2");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"    validation_fraction: 0.15   # held out of training{(task == LabTasks.Extraction ? "" : " per class")}: settings are chosen on it, never on the test");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    seed: {Seed}");
        return sb.ToString();
    }
}
