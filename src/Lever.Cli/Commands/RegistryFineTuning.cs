using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry;
using Lever.Training.Runs;

namespace Lever.Cli.Commands;

/// <summary>The registry hook of the server's fine-tuning jobs.</summary>
internal static partial class RegistryCli
{
    /// <summary>Registers a succeeded job's adapter as <paramref name="name"/> (its ft: model id) with the run's lineage and the job id; returns NAME@vN, or null when it failed (warned on stderr).</summary>
    public static string? RecordFineTuning(Workspace ws, string name, string output, string jobId)
    {
        string? reference = null;
        Hook("fine-tuning", () =>
        {
            using var registry = ArtifactRegistry.Open(ws);
            var run = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainingRun.RunFile)))!.AsObject();
            var lineage = TrainingLineage(registry, run, null, null);
            lineage["source"] = "lever serve --fine-tuning";
            lineage["fine_tuning_job"] = jobId;
            reference = registry.Register(name, output, ArtifactKind.Adapter, lineage).Version.Reference;
        });
        return reference;
    }
}
