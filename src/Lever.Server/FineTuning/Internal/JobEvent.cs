using System.Text.Json.Nodes;

namespace Lever.Server.FineTuning.Internal;

/// <summary>One line of a job's events.jsonl: a status change or message (type message) or a step's metrics (type metrics).</summary>
internal sealed record JobEvent(string Id, long CreatedAt, string Level, string Message, string Type, JsonObject? Data);
