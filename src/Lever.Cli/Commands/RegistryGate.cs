using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Composition;
using Lever.Evals.Data;
using Lever.Evals.Recipes;
using Lever.Evals.Running;
using Lever.Registry;

namespace Lever.Cli.Commands;

/// <summary>
/// Evaluating a registered version with Evals' runner (a recipe version as it is; a model or adapter through the engine,
/// with a recipe's prompt and scoring when given) and the promotion gate built on it.
/// </summary>
internal static class RegistryGate
{
    /// <summary>The provider name under which a model or adapter version is served to the runner.</summary>
    public const string CandidateProvider = "registry-candidate";

    /// <summary>One evaluation of a version: the run's summary, the compared score, its interval and the record attached to the version.</summary>
    public sealed record Outcome(RunSummary Summary, double Score, double Low, double High, JsonObject Record);

    /// <summary>Runs <paramref name="version"/> over the eval set at <paramref name="setPath"/> and attaches the result to it (source <paramref name="source"/>).</summary>
    public static async Task<Outcome> EvaluateAsync(Workspace ws, ArtifactRegistry registry, ArtifactVersion version, string setPath, string? recipeName, string metric, string source, CancellationToken ct)
    {
        var config = LeverConfig.Load(ws.ConfigPath);
        var settings = RecipeServicesFactory.Settings(config);
        var providers = Composition.Providers(ws, config);
        Recipe recipe;
        switch (version.Kind)
        {
            case ArtifactKind.Recipe:
                var file = File.Exists(version.Path) ? version.Path
                    : new[] { "recipe.yaml", "recipe.yml" }.Select(f => Path.Combine(version.Path, f)).FirstOrDefault(File.Exists)
                    ?? throw new LeverUserException($"{version.Reference}: {version.Path} holds no recipe file that `lever eval` can run (a lab recipe folder is measured by `lever lab`)",
                        "register a recipes/NAME.yaml file as the recipe version to gate or drift-check it");
                recipe = RecipeLoader.Load(ws, file);
                break;
            case ArtifactKind.Model or ArtifactKind.Adapter:
                recipe = recipeName is null ? new Recipe { Name = version.Name } : RecipeLoader.Load(ws, recipeName);
                string model = version.Path;
                string? adapter = null;
                if (version.Kind == ArtifactKind.Adapter)
                {
                    adapter = version.Path;
                    model = version.Lineage["base_model"]?["path"]?.GetValue<string>() is { } b && Directory.Exists(b) ? b
                        : RegistryCli.AdapterBase(version.Path)
                        ?? throw new LeverUserException($"{version.Reference}: the adapter's base model is not recorded or no longer exists", "register the adapter from its `lever train` output, or keep its base model folder in place");
                }
                providers = providers.With(CandidateProvider, new ProviderOptions { Kind = "local", Model = model, Adapter = adapter });
                recipe.Name = version.Name;
                recipe.Provider = CandidateProvider;
                recipe.Model = model;
                recipe.Adapter = adapter;
                break;
            default:
                throw new LeverUserException($"{version.Reference}: a {ArtifactKinds.Name(version.Kind)} cannot answer an eval set", "gate and drift-check models, adapters or recipes");
        }
        if (!File.Exists(version.Path) && !Directory.Exists(version.Path))
            throw new LeverUserException($"{version.Reference}: its files are gone from {version.Path}", "restore them, or register the artifact again from where it lives now");
        if (ContentHash.Compute(version.Path, version.Kind).Sha256 != version.Sha256)
            throw new LeverUserException($"{version.Reference}: the files at {version.Path} changed since it was registered (sha256 differs)", "register the changed files as a new version, or restore the registered ones");

        var set = EvalSet.Load(Path.GetFullPath(setPath, ws.Root));
        var needsRetriever = recipe.Retrieval.Enabled || settings.CorpusIndex is not null;
        var services = RecipeServicesFactory.Create(recipe, providers, settings, needsRetriever ? RetrieverSources.Open(ws, config, providers) : null);
        var runner = new EvalRunner(recipe, services, new EvalRunOptions { Concurrency = settings.Concurrency, Diagnose = false, CacheDir = Path.Combine(ws.CacheDir, "evals") });
        var runDir = Path.Combine(ws.RunsDir, $"{source}-{RegistryCli.NameFrom(version.Name)}-v{version.Version}-{EvalRunner.DefaultRunId(recipe, set)}");
        var summary = await runner.RunAsync(set, runDir, null, ct).ConfigureAwait(false);
        if (summary.Failed > 0)
            throw new LeverUserException($"{version.Reference}: {summary.Failed} of {summary.Items} gate items got no answer, so there is no score to compare (see {Path.Combine(runDir, EvalRunner.ErrorsFile)})",
                "fix the provider and run the same command again (finished items are kept)");
        if (!summary.Metrics.TryGetValue(metric, out var score))
            throw new LeverUserException($"gate.metric {metric}: the eval run has no such metric", $"use one of: {string.Join(", ", summary.Metrics.Keys)}");
        var record = RegistryCli.EvalRecord(source, summary, runDir, metric);
        registry.AttachEval(version, record);
        var ci = record["ci"]!.AsArray();
        return new Outcome(summary, score, ci[0]!.GetValue<double>(), ci[1]!.GetValue<double>(), record);
    }

    /// <summary>
    /// The gate: the candidate's score on the set against the current holder's (both run now, cached answers reused), within
    /// gate.tolerance_points; for fine-tuned weights, the general-text loss increase its training measured within
    /// gate.max_general_loss_increase. Returns the decision with its numbers (<c>decision</c>: promote or refuse).
    /// </summary>
    public static async Task<JsonObject> DecideAsync(Workspace ws, ArtifactRegistry registry, ArtifactVersion candidate, ArtifactVersion? holder, string setPath, string? recipeName, CancellationToken ct)
    {
        var config = LeverConfig.Load(ws.ConfigPath);
        var gate = config.Section<GateOptions>("gate") ?? new GateOptions();
        var reasons = new JsonArray();
        bool pass = true;
        var c = await EvaluateAsync(ws, registry, candidate, setPath, recipeName, gate.Metric, "gate", ct).ConfigureAwait(false);
        var decision = new JsonObject
        {
            ["set"] = Path.GetFullPath(setPath, ws.Root), ["set_sha256"] = c.Summary.SetHash, ["metric"] = gate.Metric, ["tolerance_points"] = gate.TolerancePoints,
            ["candidate"] = Side(candidate, c),
        };
        if (holder is not null)
        {
            var h = await EvaluateAsync(ws, registry, holder, setPath, recipeName, gate.Metric, "gate", ct).ConfigureAwait(false);
            decision["holder"] = Side(holder, h);
            var delta = (c.Score - h.Score) * 100;
            decision["delta_points"] = Math.Round(delta, 4);
            if (delta < -gate.TolerancePoints)
            {
                pass = false;
                reasons.Add($"{gate.Metric} {RegistryCli.F(c.Score * 100, "0.##")}% vs {RegistryCli.F(h.Score * 100, "0.##")}% for {holder.Reference}: {RegistryCli.F(-delta, "0.##")} points worse, tolerance {RegistryCli.F(gate.TolerancePoints, "0.##")}");
            }
            else
            {
                reasons.Add($"{gate.Metric} {RegistryCli.F(c.Score * 100, "0.##")}% vs {RegistryCli.F(h.Score * 100, "0.##")}% for {holder.Reference} (within {RegistryCli.F(gate.TolerancePoints, "0.##")} points)");
            }
        }
        else
        {
            decision["holder"] = null;
            reasons.Add($"{gate.Metric} {RegistryCli.F(c.Score * 100, "0.##")}%; no current holder to compare with");
        }
        if (candidate.Kind is ArtifactKind.Model or ArtifactKind.Adapter)
        {
            var training = candidate.Lineage["training"];
            if (training?["general_loss_before"] is JsonValue b && training["general_loss_after"] is JsonValue a
                && b.TryGetValue<double>(out var before) && a.TryGetValue<double>(out var after))
            {
                var increase = after - before;
                decision["forgetting"] = new JsonObject
                {
                    ["meter"] = "general-text loss (lever train's forgetting meter)", ["before"] = before, ["after"] = after,
                    ["increase"] = Math.Round(increase, 6), ["budget"] = gate.MaxGeneralLossIncrease,
                };
                if (increase > gate.MaxGeneralLossIncrease)
                {
                    pass = false;
                    reasons.Add($"forgetting: general-text loss {RegistryCli.F(increase, "+0.####;-0.####")} nats ({RegistryCli.F(before)} → {RegistryCli.F(after)}), over the budget of {RegistryCli.F(gate.MaxGeneralLossIncrease)}");
                }
                else
                {
                    reasons.Add($"forgetting: general-text loss {RegistryCli.F(increase, "+0.####;-0.####")} nats, within {RegistryCli.F(gate.MaxGeneralLossIncrease)}");
                }
            }
            else
            {
                decision["forgetting"] = new JsonObject { ["recorded"] = false, ["budget"] = gate.MaxGeneralLossIncrease };
                reasons.Add("forgetting: not recorded (its training had no general text to measure; pass --general to lever train)");
            }
        }
        decision["decision"] = pass ? "promote" : "refuse";
        decision["reasons"] = reasons;
        return decision;
    }

    /// <summary>The gate's numbers as lines for the terminal.</summary>
    public static IEnumerable<string> Describe(JsonObject decision)
    {
        yield return $"gate on {decision["set"]}: {decision["decision"]}";
        foreach (var r in decision["reasons"]!.AsArray()) yield return $"  {r}";
        var cand = decision["candidate"]!;
        yield return $"  candidate {cand["reference"]}: {cand["score"]} (95% CI {cand["ci"]![0]}–{cand["ci"]![1]}, {cand["items"]} items)";
        if (decision["holder"] is { } h) yield return $"  holder {h["reference"]}: {h["score"]} (95% CI {h["ci"]![0]}–{h["ci"]![1]})";
    }

    private static JsonObject Side(ArtifactVersion v, Outcome o) => new()
    {
        ["reference"] = v.Reference, ["sha256"] = v.Sha256, ["score"] = Math.Round(o.Score, 6), ["ci"] = new JsonArray(o.Low, o.High),
        ["items"] = o.Summary.Items, ["passed"] = o.Summary.Passed, ["run"] = o.Summary.Run,
    };
}
