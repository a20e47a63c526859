using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Data;
using Lever.Registry;
using Microsoft.Extensions.AI;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever drift NAME@ALIAS --set FILE [--inputs RECENT.jsonl]</c>: quality drift (the gate set re-run against the version's
/// registered score, with an interval) and input drift (label and length PSI, embedding centroid distance) against the
/// training inputs. Exit 0 within thresholds, 3 when drifted; the check is recorded in the audit trail. Suitable for cron.
/// </summary>
internal sealed class DriftCommand : ILeverCommand
{
    /// <summary>The exit code when drift is found.</summary>
    public const int DriftedExitCode = 3;

    private const int MaxEmbedded = 500, MaxLabels = 50;

    public Command Create()
    {
        var reference = new Argument<string>("reference") { Description = "NAME@ALIAS or NAME@vN" };
        var set = new Option<string>("--set", "-s") { Description = "the gate set (JSONL eval set) to re-run", Required = true };
        var inputs = new Option<string?>("--inputs") { Description = "recent inputs (JSONL: input/prompt/text/messages, optional expected/label) to compare with the training inputs" };
        var against = new Option<string?>("--reference") { Description = "the reference inputs (default: the version's training dataset, else the set its score was registered on)" };
        var recipe = new Option<string?>("--recipe", "-r") { Description = "for models and adapters: the recipe the set is answered with (as for the gate)" };
        var json = new Option<bool>("--json") { Description = "print the report as one JSON object" };
        var ws = RegistryCommand.WorkspaceOption();
        var command = new Command("drift", "Re-validate a registered version: quality on the gate set vs its registered score, and recent inputs vs the training inputs (PSI, embedding centroid). Exit 0 within thresholds, 3 drifted.")
        {
            reference, set, inputs, against, recipe, json, ws,
        };
        command.SetAction(async (parse, ct) => await RunAsync(Workspace.Open(parse.GetValue(ws)), parse.GetValue(reference)!, parse.GetValue(set)!, parse.GetValue(inputs), parse.GetValue(against),
            parse.GetValue(recipe), parse.GetValue(json), ct).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> RunAsync(Workspace ws, string referenceText, string setPath, string? inputsPath, string? referencePath, string? recipeName, bool json, CancellationToken ct)
    {
        var config = LeverConfig.Load(ws.ConfigPath);
        var options = config.Section<DriftOptions>("drift") ?? new DriftOptions();
        var gate = config.Section<GateOptions>("gate") ?? new GateOptions();
        using var registry = ArtifactRegistry.Open(ws);
        var version = registry.Resolve(ArtifactReference.Parse(referenceText));
        var fullSet = Path.GetFullPath(setPath, ws.Root);
        var report = new JsonObject { ["version"] = version.Reference, ["set"] = fullSet };
        var checks = new JsonArray();
        var notes = new JsonArray();
        bool drifted = false;

        // 1) quality: the registered score (the latest gate or eval record, the same set preferred) vs a run now
        var registered = registry.Evals(version).Where(e => e["source"]?.ToString() is "gate" or "eval" or "lab").ToList();
        var outcome = await RegistryGate.EvaluateAsync(ws, registry, version, fullSet, recipeName, gate.Metric, "drift", ct).ConfigureAwait(false);
        var baseline = registered.LastOrDefault(e => e["set_sha256"]?.ToString() == outcome.Summary.SetHash) ?? registered.LastOrDefault(e => e["metric"]?.ToString() == gate.Metric);
        if (baseline?["score"] is JsonValue bv && bv.TryGetValue<double>(out var before))
        {
            var gap = (before - outcome.High) * 100;
            var bad = gap > options.TolerancePoints;
            drifted |= bad;
            checks.Add(new JsonObject
            {
                ["check"] = "quality", ["metric"] = gate.Metric, ["registered"] = before, ["registered_run"] = baseline["run"]?.DeepClone(), ["now"] = Math.Round(outcome.Score, 6),
                ["ci"] = new JsonArray(outcome.Low, outcome.High), ["threshold"] = $"registered score above the 95% CI's upper end by more than {options.TolerancePoints.ToString(CultureInfo.InvariantCulture)} points",
                ["drifted"] = bad,
            });
        }
        else
        {
            notes.Add($"quality: {version.Reference} has no registered {gate.Metric} score yet; this run ({Pct(outcome.Score)}) is attached and becomes the reference");
        }

        // 2) inputs: labels and lengths by PSI, embeddings by centroid distance
        if (inputsPath is not null)
        {
            var refFile = referencePath is not null ? Path.GetFullPath(referencePath, ws.Root) : ReferenceInputs(registry, version, baseline, fullSet);
            var recentFile = Path.GetFullPath(inputsPath, ws.Root);
            var reference = Read(refFile);
            var recent = Read(recentFile);
            if (reference.Count == 0 || recent.Count == 0)
                throw new LeverUserException($"{(reference.Count == 0 ? refFile : recentFile)}: no input texts (fields input, prompt, text, question or messages)", "give a JSONL file of the inputs the model answered");
            report["reference_inputs"] = refFile;
            report["recent_inputs"] = recentFile;
            var lengthPsi = DriftStatistics.LengthPsi([.. reference.Select(r => (double)r.Text.Length)], [.. recent.Select(r => (double)r.Text.Length)]);
            drifted |= Add(checks, "length_psi", lengthPsi, options.PsiThreshold, $"PSI > {options.PsiThreshold.ToString(CultureInfo.InvariantCulture)} over the reference's length deciles");
            var refLabels = reference.Where(r => r.Label is not null).Select(r => r.Label!).ToList();
            var recentLabels = recent.Where(r => r.Label is not null).Select(r => r.Label!).ToList();
            var distinct = refLabels.Distinct(StringComparer.Ordinal).Count();
            if (refLabels.Count > 0 && recentLabels.Count > 0 && (distinct > MaxLabels || distinct > Math.Max(2, refLabels.Count / 2)))
                notes.Add($"label PSI: skipped ({distinct} distinct expected answers in {refLabels.Count} reference lines: free text, not labels)");
            else if (refLabels.Count > 0 && recentLabels.Count > 0)
                drifted |= Add(checks, "label_psi", DriftStatistics.LabelPsi(refLabels, recentLabels), options.PsiThreshold, $"PSI > {options.PsiThreshold.ToString(CultureInfo.InvariantCulture)} over the labels");
            else
                notes.Add("label PSI: skipped (the reference or the recent inputs carry no expected/label field)");

            var providers = Composition.Providers(ws, config);
            var (name, embedder) = Embedder(providers, options);
            if (embedder is null)
            {
                notes.Add("embedding centroid: skipped (no provider with an embedding_model in lever.yaml; set drift.embeddings or providers.NAME.embedding_model)");
            }
            else
            {
                using (embedder)
                {
                    var a = await Embed(embedder, reference, ct).ConfigureAwait(false);
                    var b = await Embed(embedder, recent, ct).ConfigureAwait(false);
                    var threshold = DriftStatistics.SplitHalfThreshold(a, options.CentroidPercentile, options.Bootstraps);
                    var distance = DriftStatistics.CentroidDistance(a, b);
                    drifted |= Add(checks, "embedding_centroid", distance, threshold,
                        $"cosine distance above the {options.CentroidPercentile.ToString(CultureInfo.InvariantCulture)}th percentile of {options.Bootstraps} split-half bootstraps of the reference ({name})");
                }
            }
        }
        else
        {
            notes.Add("input drift: skipped (pass --inputs RECENT.jsonl, e.g. from the server's request log)");
        }

        report["checks"] = checks;
        report["notes"] = notes;
        report["drifted"] = drifted;
        registry.RecordEvent("drift_check", new JsonObject
        {
            ["name"] = version.Name, ["version"] = version.Version, ["verdict"] = drifted ? "drifted" : "within thresholds", ["checks"] = checks.DeepClone(),
        });
        if (json)
        {
            Console.WriteLine(report.ToJsonString());
        }
        else
        {
            Console.WriteLine($"drift of {version.Reference} on {fullSet}: {(drifted ? "DRIFTED" : "within thresholds")}");
            foreach (var c in checks)
            {
                var line = c!["check"]!.ToString() == "quality"
                    ? $"{c["metric"]} now {Pct(c["now"]!.GetValue<double>())} (95% CI {Pct(c["ci"]![0]!.GetValue<double>())}–{Pct(c["ci"]![1]!.GetValue<double>())}) vs registered {Pct(c["registered"]!.GetValue<double>())}"
                    : $"{c["value"]} (threshold {c["threshold"]})";
                Console.WriteLine($"  {(c["drifted"]!.GetValue<bool>() ? "drifted" : "ok     ")}  {c["check"]}: {line}");
            }
            foreach (var n in notes) Console.WriteLine($"  note: {n}");
        }
        return drifted ? DriftedExitCode : 0;
    }

    private static bool Add(JsonArray checks, string check, double value, double threshold, string rule)
    {
        var bad = value > threshold;
        checks.Add(new JsonObject { ["check"] = check, ["value"] = Math.Round(value, 6), ["threshold"] = Math.Round(threshold, 6), ["rule"] = rule, ["drifted"] = bad });
        return bad;
    }

    /// <summary>The training inputs: the version's dataset (lineage), else the set its registered score came from, else the gate set itself.</summary>
    private static string ReferenceInputs(ArtifactRegistry registry, ArtifactVersion version, JsonObject? baseline, string set)
    {
        if (version.Lineage["dataset"]?["reference"]?.ToString() is { } dataset)
        {
            var v = registry.Resolve(ArtifactReference.Parse(dataset));
            if (File.Exists(v.Path)) return v.Path;
        }
        if (version.Lineage["dataset"]?["path"]?.ToString() is { } path && File.Exists(path)) return path;
        if (baseline?["set"]?.ToString() is { } registeredSet && File.Exists(registeredSet)) return registeredSet;
        return set;
    }

    private static (string? Name, IEmbeddingGenerator<string, Embedding<float>>? Embedder) Embedder(Lever.Providers.ProviderRegistry providers, DriftOptions options)
    {
        if (options.Embeddings is { } named)
        {
            if (!providers.Contains(named)) throw new LeverUserException($"drift.embeddings: no provider '{named}'", $"use one of: {string.Join(", ", providers.Names)}");
            return (named, providers.RequireEmbeddings(named, "drift.embeddings"));
        }
        foreach (var name in providers.Names)
            if (providers.Get(name).EmbeddingModel is not null && providers.Embeddings(name) is { } e) return (name, e);
        return (null, null);
    }

    private static async Task<List<float[]>> Embed(IEmbeddingGenerator<string, Embedding<float>> embedder, List<(string Text, string? Label)> items, CancellationToken ct)
    {
        var texts = items.Take(MaxEmbedded).Select(i => i.Text).ToList();
        var result = new List<float[]>();
        foreach (var chunk in texts.Chunk(64))
            foreach (var e in await embedder.GenerateAsync(chunk, cancellationToken: ct).ConfigureAwait(false))
                result.Add(e.Vector.ToArray());
        return result;
    }

    /// <summary>Each line's input text (input, prompt, text, question, or the last user message) and label (expected, label, completion).</summary>
    private static List<(string Text, string? Label)> Read(string path)
    {
        var list = new List<(string, string?)>();
        foreach (var line in JsonlReader.ReadObjects(path))
        {
            var v = line.Value;
            string? text = Field(v, "input") ?? Field(v, "prompt") ?? Field(v, "text") ?? Field(v, "question");
            if (text is null && v.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
                text = messages.EnumerateArray().Where(m => Field(m, "role") == "user").Select(m => Field(m, "content")).LastOrDefault(c => c is not null);
            if (text is null) continue;
            list.Add((text, Field(v, "expected") ?? Field(v, "label") ?? Field(v, "completion")));
        }
        return list;
    }

    private static string? Field(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) ? p.ValueKind == JsonValueKind.String ? p.GetString() : p.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? p.GetRawText() : null : null;

    private static string Pct(double v) => (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
