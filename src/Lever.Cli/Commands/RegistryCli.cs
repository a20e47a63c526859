using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lever.Core;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Registry;
using Lever.Training.Runs;

namespace Lever.Cli.Commands;

/// <summary>
/// The registry's side of other commands: the JSON of a version, lineage from a training run's files, and the hooks
/// <c>lever train</c>, <c>lever eval</c>, <c>lever index</c> and <c>lever lab</c> call after their runs finish.
/// A hook that fails warns on stderr and never fails the run it records.
/// </summary>
internal static partial class RegistryCli
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>One version as <c>registry list --json</c> prints it: version, kind, sha256, aliases, created, lineage.</summary>
    public static JsonObject VersionJson(ArtifactVersion v) => new()
    {
        ["version"] = v.Version,
        ["kind"] = ArtifactKinds.Name(v.Kind),
        ["sha256"] = v.Sha256,
        ["aliases"] = new JsonArray([.. v.Aliases.Select(a => (JsonNode)a)]),
        ["created"] = v.Created,
        ["lineage"] = v.Lineage.DeepClone(),
    };

    /// <summary>One short phrase for the list table: the run or source the version came from.</summary>
    public static string Origin(ArtifactVersion v) =>
        v.Lineage["source"]?.ToString() is { } s ? s + (v.Lineage["base_model"]?["reference"] is { } b ? $" on {b}" : "") : Path.GetFileName(v.Path.TrimEnd('/'));

    /// <summary>A registry name from a folder or file name: characters a name cannot hold become '-'.</summary>
    public static string NameFrom(string path)
    {
        var stem = Path.GetFileName(Path.GetFullPath(path).TrimEnd('/'));
        if (File.Exists(path)) stem = Path.GetFileNameWithoutExtension(stem);
        var name = InvalidName().Replace(stem, "-").Trim('-', '.');
        return name.Length == 0 ? "artifact" : char.IsLetterOrDigit(name[0]) ? name : "a" + name;
    }

    /// <summary>
    /// Lineage for a path being registered by hand: a <c>lever train</c> output (run.json) gets its run's lineage (base model and
    /// dataset registered too); an adapter names its base from adapter_config.json.
    /// </summary>
    public static JsonObject LineageOf(Workspace ws, ArtifactRegistry registry, string path, ArtifactKind kind)
    {
        // The same files registered before (e.g. by `lever train` under the folder's name): their lineage is this one's.
        if (File.Exists(path) || Directory.Exists(path))
        {
            var sha = ContentHash.Compute(path, kind).Sha256;
            if (registry.FindByContent(sha).FirstOrDefault(v => v.Kind == kind && v.Lineage["source"]?.ToString() != "lineage input") is { } known)
            {
                var copy = known.Lineage.DeepClone().AsObject();
                copy["same_content_as"] = known.Reference;
                return copy;
            }
        }
        if (Directory.Exists(path) && File.Exists(Path.Combine(path, TrainingRun.RunFile)) && kind is ArtifactKind.Adapter or ArtifactKind.Model)
            return TrainingLineage(registry, JsonNode.Parse(File.ReadAllText(Path.Combine(path, TrainingRun.RunFile)))!.AsObject(), null, null);
        var lineage = new JsonObject { ["source"] = "register" };
        if (kind == ArtifactKind.Adapter && AdapterBase(path) is { } baseDir) lineage["base_model"] = Link(registry, baseDir, ArtifactKind.Model);
        return lineage;
    }

    /// <summary><c>lever train</c>'s hook: registers the base model, the dataset and the result (named <paramref name="name"/> or after its folder) with the run's lineage.</summary>
    public static void RecordTraining(TrainingRunOptions options, TrainingSummary summary, TimeSpan elapsed, string? name)
    {
        Hook("train", () =>
        {
            var ws = Workspace.Open();
            using var registry = ArtifactRegistry.Open(ws);
            var run = JsonNode.Parse(File.ReadAllText(Path.Combine(summary.Output, TrainingRun.RunFile)))!.AsObject();
            var lineage = TrainingLineage(registry, run, summary, elapsed);
            var kind = summary.Method is "lora" or "qlora" ? ArtifactKind.Adapter : ArtifactKind.Model;
            var (version, created) = registry.Register(name ?? NameFrom(summary.Output), summary.Output, kind, lineage);
            registry.RecordEvent("training_run", new JsonObject
            {
                ["name"] = version.Name, ["version"] = version.Version, ["method"] = summary.Method, ["output"] = summary.Output, ["steps"] = summary.Steps,
                ["stop"] = summary.Stop, ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
            });
            Console.Error.WriteLine(created ? $"registry: registered {version.Reference} ({ArtifactKinds.Name(kind)}) with its lineage" : $"registry: the result is {version.Reference} (same content)");
        });
    }

    /// <summary><c>lever eval</c>'s hook: attaches the run to every registered version it measured (the recipe file, its model, its adapter).</summary>
    public static void RecordEval(Workspace ws, Recipe recipe, string? recipeFile, string? providerModel, string? providerAdapter, RunSummary summary, string runDir)
    {
        if (!ArtifactRegistry.Exists(ws)) return;
        Hook("eval", () =>
        {
            using var registry = ArtifactRegistry.Open(ws);
            var measured = new List<ArtifactVersion>();
            void Match(string? path, ArtifactKind kind)
            {
                if (path is null) return;
                var full = Path.GetFullPath(path, ws.Root);
                if (!File.Exists(full) && !Directory.Exists(full)) return;
                measured.AddRange(registry.FindByContent(ContentHash.Compute(full, kind).Sha256));
            }
            Match(recipeFile, ArtifactKind.Recipe);
            Match(recipe.Model ?? providerModel, ArtifactKind.Model);
            Match(recipe.Adapter ?? providerAdapter, ArtifactKind.Adapter);
            foreach (var v in measured.DistinctBy(v => v.Reference))
            {
                registry.AttachEval(v, EvalRecord("eval", summary, runDir, "accuracy"));
                Console.Error.WriteLine($"registry: attached run {summary.Run} to {v.Reference}");
            }
        });
    }

    /// <summary><c>lever index</c>'s hook: registers the index folder as a snapshot named <c>index-NAME</c>.</summary>
    public static void RecordIndex(Workspace ws, string indexName, string dir, string operation)
    {
        Hook("index", () =>
        {
            using var registry = ArtifactRegistry.Open(ws);
            var (version, created) = registry.Register("index-" + NameFrom(indexName), dir, ArtifactKind.Index, new JsonObject { ["source"] = $"lever index {operation}", ["index"] = indexName });
            registry.RecordEvent("index_update", new JsonObject { ["name"] = version.Name, ["version"] = version.Version, ["operation"] = operation });
            if (created) Console.Error.WriteLine($"registry: registered {version.Reference} (index snapshot)");
        });
    }

    /// <summary>
    /// <c>lever lab</c>'s hook: reads .lever/lab/summary.json and results.json and registers each measured recipe's folder
    /// (.lever/lab/recipes/NAME) as <c>WORKSPACE-NAME</c> with the lab's numbers, the advisor's recommendation and reasons,
    /// the data split and the lab options, its test score attached; the recommended one is marked.
    /// </summary>
    public static void RecordLab(Workspace ws, string summaryPath, object labOptionsObject)
    {
        Hook("lab", () =>
        {
            var labOptions = JsonSerializer.SerializeToNode(labOptionsObject, Snake);
            var labDir = Path.GetDirectoryName(summaryPath)!;
            var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!.AsObject();
            var details = File.Exists(Path.Combine(labDir, "results.json")) ? JsonNode.Parse(File.ReadAllText(Path.Combine(labDir, "results.json")))!.AsObject() : null;
            var recommendation = summary["recommendation"]?.AsObject();
            var winner = recommendation?["recipe"]?.GetValue<string>();
            using var registry = ArtifactRegistry.Open(ws);
            var registered = new List<string>();
            foreach (var row in summary["recipes"]?.AsArray() ?? [])
            {
                var recipe = row?["name"]?.GetValue<string>();
                if (recipe is null) continue;
                var folder = Path.Combine(labDir, "recipes", recipe);
                if (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any(f => !ContentHash.Excluded(Path.GetRelativePath(folder, f).Replace('\\', '/'), ArtifactKind.Recipe))) continue;
                var detail = details?["recipes"]?.AsArray().FirstOrDefault(r => r?["name"]?.GetValue<string>() == recipe);
                var lineage = new JsonObject
                {
                    ["source"] = "lever lab",
                    ["lab"] = new JsonObject
                    {
                        ["workspace"] = ws.Root, ["recipe"] = recipe, ["recommended"] = recipe == winner, ["lever"] = row?["lever"]?.DeepClone(),
                        ["description"] = detail?["description"]?.DeepClone(), ["results"] = row?.DeepClone(), ["options"] = labOptions?.DeepClone(),
                    },
                    ["advice"] = recommendation?.DeepClone(),
                    ["data"] = details?["data"]?.DeepClone(),
                    ["cost_model"] = details?["cost_model"]?.DeepClone(),
                };
                var kind = File.Exists(Path.Combine(folder, "adapter_config.json")) ? ArtifactKind.Adapter : ArtifactKind.Recipe;
                var (version, created) = registry.Register(NameFrom(ws.Root) + "-" + NameFrom(recipe), folder, kind, lineage);
                if (!created) continue;
                registered.Add(version.Reference + (recipe == winner ? " (recommended)" : ""));
                if (detail is not null)
                {
                    var items = detail["items"]?.GetValue<int>() ?? 0;
                    var accuracy = detail["accuracy"]?.GetValue<double>() ?? 0;
                    var (lo, hi) = WilsonInterval(accuracy, items);
                    registry.AttachEval(version, new JsonObject
                    {
                        ["source"] = "lab", ["run"] = summaryPath, ["set"] = "lab test split", ["metric"] = "accuracy", ["score"] = accuracy, ["ci"] = new JsonArray(lo, hi),
                        ["ci_method"] = "Wilson 95%", ["items"] = items, ["metrics"] = new JsonObject { ["accuracy"] = accuracy, ["macro_f1"] = detail["macro_f1"]?.DeepClone() },
                    });
                }
            }
            if (registered.Count == 0) return;
            registry.RecordEvent("lab_run", new JsonObject { ["workspace"] = ws.Root, ["recommended"] = winner, ["primary"] = recommendation?["primary"]?.DeepClone(), ["registered"] = new JsonArray([.. registered.Select(r => (JsonNode)r)]), ["summary"] = summaryPath });
            Console.Error.WriteLine($"registry: registered the lab's recipes: {string.Join(", ", registered)}");
        });
    }

    /// <summary>An eval record to attach: run, set, metric, score and its bootstrap interval, all metrics, items.</summary>
    public static JsonObject EvalRecord(string source, RunSummary summary, string runDir, string metric)
    {
        var passes = PassValues(runDir);
        var (lo, hi) = Lever.Evals.Metrics.Statistics.BootstrapMeanCi(passes);
        return new JsonObject
        {
            ["source"] = source, ["run"] = summary.Run, ["run_dir"] = runDir, ["set"] = summary.Set, ["set_sha256"] = summary.SetHash, ["recipe"] = summary.Recipe,
            ["recipe_hash"] = summary.RecipeHash, ["metric"] = metric, ["score"] = summary.Metrics.TryGetValue(metric, out var s) ? s : null,
            ["ci"] = new JsonArray(Math.Round(lo, 6), Math.Round(hi, 6)), ["ci_method"] = "bootstrap 95% over items' pass/fail",
            ["items"] = summary.Items, ["completed"] = summary.Completed, ["passed"] = summary.Passed,
            ["metrics"] = JsonSerializer.SerializeToNode(summary.Metrics), ["finished"] = summary.FinishedAt,
        };
    }

    /// <summary>1/0 per completed item of the run (its primary scorer), from results.jsonl.</summary>
    public static List<double> PassValues(string runDir)
    {
        var path = Path.Combine(runDir, EvalRunner.ResultsFile);
        var list = new List<double>();
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            list.Add(doc.RootElement.TryGetProperty("passed", out var p) && p.ValueKind == JsonValueKind.True ? 1 : 0);
        }
        return list;
    }

    /// <summary>
    /// The files a reference (<c>NAME@vN</c>, <c>NAME@ALIAS</c>) stands for where a command takes a <paramref name="wanted"/>:
    /// a recipe file, or a model folder — for an adapter version, its recorded base plus the adapter folder.
    /// </summary>
    public static (string Path, string? Adapter) ResolvePath(Workspace ws, string reference, ArtifactKind wanted)
    {
        if (!ArtifactRegistry.Exists(ws))
            throw new LeverUserException($"{reference}: looks like a registry reference, but {ws.StateDir} has no registry.db", "register it first (lever registry register NAME PATH), or give a path");
        using var registry = ArtifactRegistry.Open(ws);
        var v = registry.Resolve(ArtifactReference.Parse(reference));
        if (wanted == ArtifactKind.Recipe)
            return v.Kind == ArtifactKind.Recipe && File.Exists(v.Path) ? (v.Path, null)
                : throw new LeverUserException($"{reference}: {v.Reference} is a {ArtifactKinds.Name(v.Kind)}, not a recipe file", "pass models and adapters with --model");
        return v.Kind switch
        {
            ArtifactKind.Model => (v.Path, null),
            ArtifactKind.Adapter => (v.Lineage["base_model"]?["path"]?.GetValue<string>() is { } b && Directory.Exists(b) ? b
                : AdapterBase(v.Path) ?? throw new LeverUserException($"{reference}: the adapter's base model is not recorded or gone", "keep its base model folder in place"), v.Path),
            _ => throw new LeverUserException($"{reference}: {v.Reference} is a {ArtifactKinds.Name(v.Kind)}, not a model or adapter", "pass recipes with --recipe"),
        };
    }

    /// <summary>The base model an adapter names in adapter_config.json, when that folder exists.</summary>
    public static string? AdapterBase(string adapterDir)
    {
        var config = Path.Combine(adapterDir, "adapter_config.json");
        if (!File.Exists(config)) return null;
        var baseModel = JsonNode.Parse(File.ReadAllText(config))?["base_model_name_or_path"]?.GetValue<string>();
        return baseModel is not null && Directory.Exists(baseModel) ? baseModel : null;
    }

    private static JsonObject TrainingLineage(ArtifactRegistry registry, JsonObject run, TrainingSummary? summary, TimeSpan? elapsed)
    {
        var method = run["Method"]?.ToString() ?? summary?.Method;
        var lineage = new JsonObject
        {
            ["source"] = "lever train",
            ["run"] = run["Output"]?.DeepClone(),
            ["method"] = method,
            ["base_model"] = run["Model"]?.GetValue<string>() is { } m && Directory.Exists(m) ? Link(registry, m, ArtifactKind.Model) : new JsonObject { ["path"] = run["Model"]?.DeepClone() },
            ["dataset"] = run["Data"]?.GetValue<string>() is { } d && File.Exists(d) ? Link(registry, d, ArtifactKind.Dataset) : new JsonObject { ["path"] = run["Data"]?.DeepClone() },
        };
        if (run["Validation"]?.GetValue<string>() is { } val && File.Exists(val)) lineage["validation"] = Link(registry, val, ArtifactKind.Dataset);
        else lineage["validation_fraction"] = run["ValidationFraction"]?.DeepClone();
        if (run["General"]?.GetValue<string>() is { } general && File.Exists(general)) lineage["general_text"] = Link(registry, general, ArtifactKind.Dataset);
        lineage["hyperparameters"] = new JsonObject { ["trainer"] = run["Trainer"]?.DeepClone(), ["lora"] = method is "lora" or "qlora" ? run["Lora"]?.DeepClone() : null };
        lineage["seed"] = run["Trainer"]?["Seed"]?.DeepClone();
        if (summary is not null)
        {
            lineage["training"] = JsonSerializer.SerializeToNode(summary with { Output = "" })!.AsObject();
            lineage["training"]!.AsObject().Remove("output");
            lineage["compute"] = new JsonObject
            {
                ["wall_seconds"] = Math.Round(elapsed?.TotalSeconds ?? 0, 1),
                ["threads"] = TorchSharp.torch.get_num_threads(),
                ["device"] = "cpu",
                ["precision"] = summary.Precision,
                ["peak_memory_mb"] = Math.Round(summary.PeakMemoryMb, 0),
                ["machine"] = $"{Environment.MachineName}, {Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            };
        }
        return lineage;
    }

    /// <summary>Registers (or finds) a lineage input by its content and links it: name, version, reference, sha256, path.</summary>
    private static JsonObject Link(ArtifactRegistry registry, string path, ArtifactKind kind)
    {
        var full = Path.GetFullPath(path);
        var (sha, _) = ContentHash.Compute(full, kind);
        var existing = registry.FindByContent(sha).FirstOrDefault(v => v.Kind == kind);
        if (existing is null)
        {
            var name = NameFrom(full);
            var clash = registry.List(name).FirstOrDefault();
            if (clash is not null && clash.Kind != kind) name = $"{name}-{ArtifactKinds.Name(kind)}";
            existing = registry.Register(name, full, kind, new JsonObject { ["source"] = "lineage input" }).Version;
        }
        return new JsonObject { ["reference"] = existing.Reference, ["sha256"] = sha, ["path"] = full };
    }

    /// <summary>The 95% Wilson score interval of a proportion.</summary>
    public static (double Low, double High) WilsonInterval(double p, int n)
    {
        if (n <= 0) return (0, 0);
        const double z = 1.959964;
        double denominator = 1 + z * z / n;
        double centre = (p + z * z / (2 * n)) / denominator;
        double half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return (Math.Round(centre - half, 6), Math.Round(centre + half, 6));
    }

    private static void Hook(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is LeverUserException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or JsonException or InvalidOperationException or NotSupportedException)
        {
            Console.Error.WriteLine($"registry: warning: the {what} run finished but was not recorded in .lever/registry.db: {ex.Message}");
        }
    }

    [GeneratedRegex("[^A-Za-z0-9._:-]+")]
    private static partial Regex InvalidName();

    /// <summary>Formats a double invariantly (for messages).</summary>
    public static string F(double v, string format = "0.####") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Wall time of <paramref name="action"/>.</summary>
    public static TimeSpan Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed;
    }
}
