using System.Text.Json.Nodes;

namespace Lever.Server.FineTuning;

/// <summary>Where job state changes leave a trace beyond the server's own files: the audit trail and the registry (composed in the Cli).</summary>
public interface IFineTuningRecorder
{
    /// <summary>Appends a <c>fine_tuning_job</c> audit line: <paramref name="action"/> (created, cancelled, succeeded, failed) with the job's fields and the caller's identity.</summary>
    void Audit(string action, JsonObject fields);

    /// <summary>Registers a succeeded job's adapter with its lineage; returns the registry reference (NAME@vN), or null when it could not be recorded.</summary>
    string? Register(FineTunedAdapter adapter, FineTuneRequest request, FineTuneOutcome outcome);
}
