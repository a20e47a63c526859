using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Evals.Composition;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever eval</c>: run a recipe over an eval set, resumably, and write the evidence to .lever/runs/ID/.</summary>
internal sealed class EvalCommand : ILeverCommand
{
    public Command Create()
    {
        var recipe = new Option<string?>("--recipe", "-r") { Description = "recipe name (recipes/NAME.yaml or recipes: in lever.yaml) or path" };
        var set = new Option<string>("--set", "-s", "--data") { Description = "eval set (JSONL: input or messages, expected, metadata)", Required = true };
        var model = new Option<string?>("--model") { Description = "shorthand: a recipe of this local model folder (or .gguf file, run by llama.cpp) with default settings" };
        var concurrency = new Option<int?>("--concurrency", "-j") { Description = "items answered at once (default: evals.concurrency, 4)" };
        var json = new Option<bool>("--json") { Description = "print progress to stderr and summary.json as the last stdout line" };
        var runId = new Option<string?>("--run-id") { Description = "run folder name (default: recipe-recipehash-sethash, so re-running resumes)" };
        var noDiagnose = new Option<bool>("--no-diagnose") { Description = "skip failure diagnosis (no probe calls)" };
        var workspace = new Option<string?>("--workspace", "-w") { Description = "workspace folder (default: current directory)" };
        var command = new Command("eval", "Run a recipe over an eval set: quality, latency, tokens, cost and why answers fail.")
        {
            recipe, set, model, concurrency, json, runId, noDiagnose, workspace,
        };
        command.SetAction((parse, ct) => Run(parse.GetValue(recipe), parse.GetValue(set)!, parse.GetValue(model), parse.GetValue(concurrency),
            parse.GetValue(json), parse.GetValue(runId), parse.GetValue(noDiagnose), parse.GetValue(workspace), ct));
        return command;
    }

    private static async Task<int> Run(string? recipeName, string setPath, string? modelDir, int? concurrency, bool json, string? runId, bool noDiagnose, string? workspaceDir, CancellationToken ct)
    {
        var ws = Workspace.Open(workspaceDir);
        if ((recipeName is null) == (modelDir is null))
            throw new LeverUserException("give exactly one of --recipe and --model", "e.g. lever eval --recipe triage --set data/dev.jsonl");
        var config = LeverConfig.Load(ws.ConfigPath);
        var settings = RecipeServicesFactory.Settings(config);
        var registry = Composition.Providers(ws, config);
        Recipe recipe;
        // NAME@vN / NAME@ALIAS: a registered model, adapter (on its recorded base) or recipe file.
        string? adapterDir = null;
        if (recipeName is not null && Lever.Registry.ArtifactReference.IsReference(recipeName))
            recipeName = RegistryCli.ResolvePath(ws, recipeName, Lever.Registry.ArtifactKind.Recipe).Path;
        if (modelDir is not null && Lever.Registry.ArtifactReference.IsReference(modelDir))
            (modelDir, adapterDir) = RegistryCli.ResolvePath(ws, modelDir, Lever.Registry.ArtifactKind.Model);
        if (modelDir is not null)
        {
            var full = Path.GetFullPath(modelDir, ws.Root);
            var kind = Lever.Providers.LlamaCpp.LlamaCppBackend.IsGgufPath(full) ? Lever.Providers.LlamaCpp.LlamaCppBackend.KindName : "local";   // a .gguf file runs on llama.cpp
            recipe = new Recipe { Name = "model-" + Path.GetFileName(full.TrimEnd('/')) + (adapterDir is null ? "" : "+" + Path.GetFileName(adapterDir.TrimEnd('/'))), Provider = kind, Model = full, Adapter = adapterDir };
            if (!registry.Contains(kind)) registry = registry.With(kind, new ProviderOptions { Kind = kind, Model = full });
        }
        else
        {
            recipe = RecipeLoader.Load(ws, recipeName!);
        }
        var set = EvalSet.Load(Path.GetFullPath(setPath, ws.Root));
        var needsRetriever = recipe.Retrieval.Enabled || settings.CorpusIndex is not null;
        var services = RecipeServicesFactory.Create(recipe, registry, settings, needsRetriever ? RetrieverSources.Open(ws, config, registry) : null);
        var options = new EvalRunOptions
        {
            Concurrency = concurrency ?? settings.Concurrency,
            Diagnose = !noDiagnose,
            CacheDir = Path.Combine(ws.CacheDir, "evals"),
        };
        if (options.Concurrency < 1) throw new LeverUserException($"--concurrency {options.Concurrency} is not a positive count", "use 1 or more");
        var id = runId ?? EvalRunner.DefaultRunId(recipe, set);
        var runDir = Path.Combine(ws.RunsDir, id);
        var runner = new EvalRunner(recipe, services, options);

        RunSummary summary;
        if (json || Console.IsOutputRedirected)
        {
            var reporter = new LineProgress(Console.Error);
            summary = await runner.RunAsync(set, runDir, reporter, ct).ConfigureAwait(false);
        }
        else
        {
            summary = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask($"eval {Markup.Escape(recipe.Name)}", maxValue: set.Items.Count);
                    var started = DateTime.UtcNow;
                    var reporter = new Progress<RunProgress>(p =>
                    {
                        task.Value = p.Done;
                        var rate = p.Done / Math.Max(1e-3, (DateTime.UtcNow - started).TotalSeconds);
                        task.Description = Markup.Escape(FormattableString.Invariant($"eval {recipe.Name}: {p.Done}/{p.Total} ({rate:0.0}/s) pass {p.Passed} fail-calls {p.Failed} ${p.CostUsd:0.####}"));
                    });
                    return await runner.RunAsync(set, runDir, reporter, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        // Lineage: the run is attached to every registered version it measured (when the workspace has a registry).
        var measured = registry.Contains(recipe.Provider) ? registry.Get(recipe.Provider) : null;
        RegistryCli.RecordEval(ws, recipe, recipeName is null ? null : RecipeFile(ws, recipeName), measured?.Model, measured?.Adapter, summary, runDir);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(summary, EvalJson.Options));
        }
        else
        {
            Print(summary, runDir);
        }
        if (summary.Failed > 0)
        {
            Console.Error.WriteLine($"eval: {summary.Failed} of {summary.Items} items failed to get an answer ({string.Join(", ", summary.CallFailures.Select(f => $"{f.Key} {f.Value}"))}); see {Path.Combine(runDir, EvalRunner.ErrorsFile)}");
            Console.Error.WriteLine("hint: finished items are saved; run the same command again to resume");
            return 3;
        }
        return 0;
    }

    /// <summary>The file a recipe name resolves to (as RecipeLoader looks), or null for an inline recipe.</summary>
    private static string? RecipeFile(Workspace ws, string nameOrPath) =>
        new[] { Path.GetFullPath(nameOrPath, ws.Root), Path.Combine(ws.Root, RecipeLoader.RecipesFolder, nameOrPath + ".yaml"), Path.Combine(ws.Root, RecipeLoader.RecipesFolder, nameOrPath + ".yml") }
            .FirstOrDefault(File.Exists);

    private static void Print(RunSummary s, string runDir)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("metric", "value");
        foreach (var (k, v) in s.Metrics) table.AddRow(Markup.Escape(k), v.ToString("0.###", CultureInfo.InvariantCulture));
        table.AddRow("latency p50 / p95", FormattableString.Invariant($"{s.LatencyMsP50:0.0} / {s.LatencyMsP95:0.0} ms"));
        table.AddRow("tokens in (cached) / out", FormattableString.Invariant($"{s.InputTokens} ({s.CachedInputTokens}) / {s.OutputTokens}"));
        table.AddRow("cost (per 1k answers)", FormattableString.Invariant($"${s.CostUsd:0.######} (${s.CostPer1kUsd:0.####})"));
        foreach (var (k, v) in s.Diagnosis) table.AddRow(Markup.Escape($"diagnosis: {k}"), Markup.Escape($"{v} → {s.Levers[k]}"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[green]{s.Completed}/{s.Items} items[/] → {Markup.Escape(runDir)}");
    }

    /// <summary>Plain progress lines for logs and pipes: at most one per 10% (and the last).</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<RunProgress>
    {
        private readonly DateTime _started = DateTime.UtcNow;
        private int _lastDecile = -1;

        public void Report(RunProgress p)
        {
            var decile = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
            lock (this)
            {
                if (decile == _lastDecile && p.Done != p.Total) return;
                _lastDecile = decile;
            }
            var elapsed = (DateTime.UtcNow - _started).TotalSeconds;
            var rate = p.Done / Math.Max(1e-3, elapsed);
            writer.WriteLine(FormattableString.Invariant($"eval: {p.Done}/{p.Total} items, {rate:0.0}/s, pass {p.Passed}, failed calls {p.Failed}, ${p.CostUsd:0.####}"));
        }
    }
}
