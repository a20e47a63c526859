using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry;
using Lever.Server.FineTuning;

namespace Lever.Cli.Commands;

/// <summary>Fine-tuning jobs in the workspace's audit trail (<c>fine_tuning_job</c> lines) and their adapters in the registry.</summary>
internal sealed class FineTuningRecorder(Workspace ws) : IFineTuningRecorder
{
    private readonly object _gate = new();

    public void Audit(string action, JsonObject fields)
    {
        lock (_gate)
        {
            try
            {
                using var registry = ArtifactRegistry.Open(ws);
                var data = new JsonObject { ["action"] = action };
                foreach (var (k, v) in fields) data[k] = v?.DeepClone();
                registry.RecordEvent("fine_tuning_job", data);
            }
            catch (Exception ex) when (ex is LeverUserException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                Console.Error.WriteLine($"registry: warning: fine-tuning job {fields["job"]} ({action}) was not recorded in the audit trail: {ex.Message}");
            }
        }
    }

    public string? Register(FineTunedAdapter adapter, FineTuneRequest request, FineTuneOutcome outcome)
    {
        lock (_gate) return RegistryCli.RecordFineTuning(ws, adapter.ModelId, adapter.AdapterPath, adapter.JobId, adapter.FullModel);
    }
}
