using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Lever.Server.FineTuning;

namespace Lever.Server.Tests.TestModels;

/// <summary>Records audit actions and registrations in memory.</summary>
internal sealed class ListRecorder : IFineTuningRecorder
{
    public ConcurrentQueue<(string Action, JsonObject Fields)> Audits { get; } = new();

    public void Audit(string action, JsonObject fields) => Audits.Enqueue((action, fields));

    public string? Register(FineTunedAdapter adapter, FineTuneRequest request, FineTuneOutcome outcome) => adapter.ModelId + "@v1";
}
