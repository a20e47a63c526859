using System.Text.Json;
using Lever.Core;
using Lever.Core.Levers;

namespace Lever.Advisor;

/// <summary>
/// Reads eval evidence: either one run's summary.json (<c>{"run","recipe","lever"?,"items","completed",
/// "metrics":{"accuracy","macro_f1"},"cost_usd","latency_ms_p95","diagnosis":{...}}</c>) or a lab summary
/// (<c>{"recipes":[{"name","lever","accuracy","macro_f1","cost_per_1k_usd","latency_ms_p95","diagnosis"}]}</c>), where a recipe
/// may also say what was measured: <c>"items"</c>, <c>"model"</c>, <c>"model_params"</c>, <c>"train_seconds"</c>, <c>"training_usd"</c>,
/// what answered and how (<c>"model_id"</c>: <c>provider/model</c>, <c>"route"</c>: <c>api</c> | <c>self-hosted</c>), and each item's
/// outcome (<c>"outcomes": {"id": true | 0.8 | {"correct": true, "score": 1}}</c>) for paired intervals.
/// Fields it does not use are ignored (other tools write more); fields it uses must have the right type.
/// </summary>
public static class EvidenceReader
{
    /// <summary>Reads the recipes measured in the summary file at <paramref name="path"/>, named <paramref name="name"/> (default: the path) in citations and errors.</summary>
    public static IReadOnlyList<RecipeEvidence> Read(string path, string? name = null)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: evidence file not found", "list the summary.json of an eval run (.lever/runs/<id>/summary.json) under evidence:");
        return Parse(name ?? path, File.ReadAllText(path));
    }

    /// <summary>Parses summary JSON <paramref name="json"/>; <paramref name="file"/> names it in errors.</summary>
    public static IReadOnlyList<RecipeEvidence> Parse(string file, string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new LeverUserException($"{file}:{(ex.LineNumber ?? 0) + 1}: invalid JSON: {ex.Message}", "an evidence file is the summary.json an eval run writes");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new LeverUserException($"{file}: evidence must be a JSON object", "see docs/ADVISOR.md, 'Evidence'");
            var run = Str(file, root, "run", "run");
            // A lab summary names its primary metric once; anything but an accuracy (an extraction lab's field_f1 or
            // token_f1) is a mean score, read as such, as the lab hands it over in process.
            var qualityMetric = Str(file, root, "quality_metric", "quality_metric");
            var meanScore = qualityMetric is not null && qualityMetric != "accuracy";
            if (root.TryGetProperty("recipes", out var recipes))
            {
                if (recipes.ValueKind != JsonValueKind.Array) throw new LeverUserException($"{file}: field 'recipes' must be a list");
                return recipes.EnumerateArray().Select((r, i) => Recipe(file, run, r, $"recipes[{i}]", meanScore)).ToArray();
            }
            return [Recipe(file, run, root, "", meanScore)];
        }
    }

    private static RecipeEvidence Recipe(string file, string? run, JsonElement e, string path, bool meanScore)
    {
        string P(string f) => path.Length == 0 ? f : $"{path}.{f}";
        var name = Str(file, e, "name", P("name"));
        var lever = Str(file, e, "lever", P("lever"));
        if (e.TryGetProperty("recipe", out var recipe))
        {
            // A run summary names its recipe as text, or as an object with name/lever.
            if (recipe.ValueKind == JsonValueKind.String) name ??= recipe.GetString();
            else if (recipe.ValueKind == JsonValueKind.Object)
            {
                name ??= Str(file, recipe, "name", P("recipe.name"));
                lever ??= Str(file, recipe, "lever", P("recipe.lever"));
            }
        }
        name ??= run ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file))) ?? "recipe";
        LeverKind? kind = lever is null ? null : LeverKinds.Parse(lever, file, P("lever"));
        var metrics = e.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object ? m : e;
        var mp = metrics.Equals(e) ? path : P("metrics");
        string MP(string f) => mp.Length == 0 ? f : $"{mp}.{f}";
        // A lab summary names its primary metric once (quality_metric) and gives each recipe's as quality; older files and
        // eval summaries carry accuracy.
        var quality = Num(file, metrics, "quality", MP("quality"), 1);
        var accuracy = meanScore ? null : quality ?? Num(file, metrics, "accuracy", MP("accuracy"), 1);
        var f1 = meanScore ? null : Num(file, metrics, "macro_f1", MP("macro_f1"), 1);
        var items = Num(file, e, "items", P("items"));
        var completed = Num(file, e, "completed", P("completed"));
        var cost1k = Num(file, e, "cost_per_1k_usd", P("cost_per_1k_usd"));
        if (cost1k is null && Num(file, e, "cost_usd", P("cost_usd")) is { } total && (completed ?? items) is > 0)
            cost1k = total / (completed ?? items)!.Value * 1000;
        var latency = Num(file, e, "latency_ms_p95", P("latency_ms_p95")) ?? Num(file, e, "latency_p95_ms", P("latency_p95_ms"));
        // What the lab measured beyond the summary's fields: which model, how big, what training took.
        var model = Str(file, e, "model", P("model"));
        var parameters = Num(file, e, "model_params", P("model_params"));
        var trainSeconds = Num(file, e, "train_seconds", P("train_seconds"));
        var trainingUsd = Num(file, e, "training_usd", P("training_usd"));
        var modelId = Str(file, e, "model_id", P("model_id"));
        var route = Str(file, e, "route", P("route"));
        if (route is not null and not ("api" or "self-hosted"))
            throw new LeverUserException($"{file}: field '{P("route")}': '{route}' is not one of api | self-hosted", "api: answered by a provider; self-hosted: answered on your own machine");
        var outcomes = Outcomes(file, e, P("outcomes"));
        long knowledge = 0, behaviour = 0, prompt = 0, capability = 0;
        foreach (var key in new[] { "diagnosis", "failures" })
        {
            if (!e.TryGetProperty(key, out var d)) continue;
            if (d.ValueKind != JsonValueKind.Object) throw new LeverUserException($"{file}: field '{P(key)}' must be an object of counts {{\"knowledge\":n,\"behaviour\":n,\"prompt\":n,\"capability\":n}}");
            knowledge = (long)(Num(file, d, "knowledge", P(key + ".knowledge")) ?? 0);
            behaviour = (long)(Num(file, d, "behaviour", P(key + ".behaviour")) ?? Num(file, d, "behavior", P(key + ".behavior")) ?? 0);
            prompt = (long)(Num(file, d, "prompt", P(key + ".prompt")) ?? 0);
            capability = (long)(Num(file, d, "capability", P(key + ".capability")) ?? 0);
        }
        return new RecipeEvidence
        {
            Source = file, Run = run, Name = name, Lever = kind, Items = (long?)(completed ?? items), Accuracy = accuracy, MacroF1 = f1,
            QualityScore = meanScore ? quality : null,
            CostPer1kUsd = cost1k, LatencyP95Ms = latency, Model = model, ModelParams = parameters, TrainSeconds = trainSeconds, TrainingUsd = trainingUsd,
            KnowledgeFailures = knowledge, BehaviourFailures = behaviour, PromptFailures = prompt, CapabilityFailures = capability,
            ModelId = modelId, Route = route, Outcomes = outcomes,
        };
    }

    private static IReadOnlyDictionary<string, ItemOutcome> Outcomes(string file, JsonElement e, string path)
    {
        if (!e.TryGetProperty("outcomes", out var o) || o.ValueKind == JsonValueKind.Null) return System.Collections.ObjectModel.ReadOnlyDictionary<string, ItemOutcome>.Empty;
        const string Hint = "write outcomes as {\"item-id\": true|false, …}, a score 0–1, or {\"correct\": bool, \"score\": n}";
        if (o.ValueKind != JsonValueKind.Object) throw new LeverUserException($"{file}: field '{path}' must be an object of item id → outcome", Hint);
        var result = new Dictionary<string, ItemOutcome>(StringComparer.Ordinal);
        foreach (var item in o.EnumerateObject())
        {
            var v = item.Value;
            result[item.Name] = v.ValueKind switch
            {
                JsonValueKind.True => new ItemOutcome(true, 1),
                JsonValueKind.False => new ItemOutcome(false, 0),
                JsonValueKind.Number when v.GetDouble() is >= 0 and <= 1 => new ItemOutcome(v.GetDouble() >= 0.5, v.GetDouble()),
                JsonValueKind.Object when v.TryGetProperty("correct", out var c) && c.ValueKind is JsonValueKind.True or JsonValueKind.False =>
                    new ItemOutcome(c.GetBoolean(), Num(file, v, "score", $"{path}.{item.Name}.score", 1) ?? (c.GetBoolean() ? 1 : 0)),
                _ => throw new LeverUserException($"{file}: field '{path}.{item.Name}': not an outcome", Hint),
            };
        }
        return result;
    }

    private static string? Str(string file, JsonElement e, string name, string path)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new LeverUserException($"{file}: field '{path}': expected text, got {v.ValueKind}");
    }

    private static double? Num(string file, JsonElement e, string name, string path, double max = double.MaxValue)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw new LeverUserException($"{file}: field '{path}': expected a number, got {v.ValueKind}", "see docs/ADVISOR.md, 'Evidence'");
        var d = v.GetDouble();
        if (d < 0 || d > max) throw new LeverUserException($"{file}: field '{path}': {d} is out of range (0–{(max == double.MaxValue ? "∞" : max.ToString(System.Globalization.CultureInfo.InvariantCulture))})", "accuracy and macro_f1 are fractions between 0 and 1");
        return d;
    }
}
