using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry;
using Lever.Training.Runs;

namespace Lever.Cli.Commands;

/// <summary>The registry hook of the server's fine-tuning jobs.</summary>
internal static partial class RegistryCli
{
    /// <summary>Registers a succeeded job's adapter as <paramref name="name"/> (its ft: model id) with the run's lineage and the job id; returns NAME@vN, or null when it failed (warned on stderr).</summary>
    public static string? RecordFineTuning(Workspace ws, string name, string output, string jobId, bool fullModel = false)
    {
        string? reference = null;
        Hook("fine-tuning", () =>
        {
            using var registry = ArtifactRegistry.Open(ws);
            var run = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainingRun.RunFile)))!.AsObject();
            var lineage = TrainingLineage(registry, run, null, null);
            lineage["source"] = "lever serve --fine-tuning";
            lineage["fine_tuning_job"] = jobId;
            reference = registry.Register(name, output, fullModel ? ArtifactKind.Model : ArtifactKind.Adapter, lineage).Version.Reference;
        });
        return reference;
    }

    /// <summary>
    /// <c>lever train --provider</c>'s hook: writes a recipe serving the fine-tuned model through the provider
    /// (.lever/hosted/NAME.yaml), registers it as NAME with the job's lineage (base model, dataset by content, resolved
    /// hyperparameters, trained tokens, cost) and appends a <c>training_run</c> audit line; returns NAME@vN or null.
    /// </summary>
    public static string? RecordHostedTraining(Workspace ws, string name, HostedTraining.Request request, string baseModel, string baseUrl, JsonObject job, double? cost, string? priceSource, TimeSpan elapsed)
    {
        string? reference = null;
        Hook("hosted training", () =>
        {
            var tuned = job["fine_tuned_model"]!.GetValue<string>();
            var dir = Path.Combine(ws.StateDir, "hosted");
            Directory.CreateDirectory(dir);
            var recipe = Path.Combine(dir, NameFrom(name.Replace(':', '-')) + ".yaml");
            File.WriteAllText(recipe, $"# written by lever train --provider {request.Provider} (job {job["id"]})\nname: {Quote(name)}\ndescription: {Quote($"{baseModel} fine-tuned through provider '{request.Provider}', job {job["id"]}")}\nlever: fine-tune\nprovider: {Quote(request.Provider)}\nmodel: {Quote(tuned)}\n");
            using var registry = ArtifactRegistry.Open(ws);
            var lineage = new JsonObject
            {
                ["source"] = "lever train --provider",
                ["provider"] = request.Provider,
                ["base_url"] = baseUrl,
                ["base_model"] = new JsonObject { ["name"] = baseModel, ["provider"] = request.Provider },
                ["fine_tuned_model"] = tuned,
                ["job"] = job["id"]?.DeepClone(),
                ["dataset"] = Link(registry, request.Data, ArtifactKind.Dataset),
                ["hyperparameters"] = job["method"]?["supervised"]?["hyperparameters"]?.DeepClone() ?? job["hyperparameters"]?.DeepClone(),
                ["seed"] = job["seed"]?.DeepClone(),
                ["trained_tokens"] = job["trained_tokens"]?.DeepClone(),
                ["cost"] = new JsonObject { ["usd"] = cost, ["source"] = priceSource ?? "not priced: no training price for this base in the price book" },
                ["compute"] = new JsonObject { ["wall_seconds"] = Math.Round(elapsed.TotalSeconds, 1), ["where"] = $"provider '{request.Provider}'" },
            };
            if (request.Validation is { } val) lineage["validation"] = Link(registry, val, ArtifactKind.Dataset);
            var version = registry.Register(name, recipe, ArtifactKind.Recipe, lineage).Version;
            registry.RecordEvent("training_run", new JsonObject
            {
                ["name"] = version.Name, ["version"] = version.Version, ["method"] = "hosted fine-tuning", ["provider"] = request.Provider, ["job"] = job["id"]?.DeepClone(),
                ["fine_tuned_model"] = tuned, ["cost_usd"] = cost, ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
            });
            reference = version.Reference;
        });
        return reference;
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
