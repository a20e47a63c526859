using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;
using Lever.Registry.Internal;

namespace Lever.Registry;

/// <summary>
/// <c>.lever/audit.jsonl</c>: one JSON object a line — <c>seq</c>, <c>prev</c> (SHA-256 hex of the previous line's bytes;
/// 64 zeros for the first), <c>at</c> (UTC), <c>who</c> (the OS user), <c>event</c> and the event's fields. Changing any line
/// breaks the next line's <c>prev</c>; changing the last or cutting the tail disagrees with the head hash and line count
/// registry.db holds.
/// </summary>
public static class AuditLog
{
    /// <summary>File name under .lever/.</summary>
    public const string FileName = "audit.jsonl";

    /// <summary>The <c>prev</c> of the first line.</summary>
    public static readonly string ZeroHash = new('0', 64);

    /// <summary>Path of the log in <paramref name="workspace"/>.</summary>
    public static string PathOf(Workspace workspace) => Path.Combine(workspace.StateDir, FileName);

    /// <summary>SHA-256 (hex) of a line's UTF-8 bytes, without its newline.</summary>
    public static string HashLine(string line) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line)));

    /// <summary>The text of line <paramref name="seq"/>: the chain fields first, then the event's.</summary>
    public static string Line(int seq, string previousHash, string at, string who, JsonObject evt)
    {
        var line = new JsonObject { ["seq"] = seq, ["prev"] = previousHash, ["at"] = at, ["who"] = who };
        foreach (var (k, v) in evt) line[k] = v?.DeepClone();
        return line.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>The log's entries that parse as JSON objects, in order (for replays and the dossier's change history).</summary>
    public static IReadOnlyList<JsonObject> Read(string path)
    {
        var list = new List<JsonObject>();
        foreach (var line in AuditFile.Read(path).Lines)
        {
            try
            {
                if (JsonNode.Parse(line) is JsonObject o) list.Add(o);
            }
            catch (JsonException)
            {
                // verify reports it; readers skip it
            }
        }
        return list;
    }

    /// <summary>The registry state the events describe: registrations, alias moves and attached evaluations, replayed in order.</summary>
    public static RegistryState Replay(IEnumerable<JsonObject> entries)
    {
        var state = RegistryState.Empty();
        int evals = 0;
        foreach (var e in entries)
        {
            var name = e["name"]?.GetValue<string>();
            switch (e["event"]?.GetValue<string>())
            {
                case "register":
                    state.Versions[$"{name}@v{e["version"]!.GetValue<int>()}"] = $"{e["kind"]!.GetValue<string>()} {e["sha256"]!.GetValue<string>()}";
                    break;
                case "promote":
                    state.Aliases[$"{name}@{e["alias"]!.GetValue<string>()}"] = e["version"]!.GetValue<int>();
                    break;
                case "rollback":
                    state.Aliases[$"{name}@{e["alias"]!.GetValue<string>()}"] = e["to"]!.GetValue<int>();
                    break;
                case "eval":
                    evals++;
                    break;
            }
        }
        return state with { Evals = evals };
    }

    /// <summary>
    /// Checks the chain of <paramref name="workspace"/>'s log: every line parses, numbers itself, and carries the hash of the
    /// line before; the last line's hash and the line count equal registry.db's head; a replay equals the registry's tables.
    /// Opening the registry first re-appends lines a crash left pending.
    /// </summary>
    public static AuditVerification Verify(Workspace workspace)
    {
        if (!ArtifactRegistry.Exists(workspace) && !File.Exists(PathOf(workspace)))
            throw new LeverUserException($"{workspace.StateDir}: no registry and no audit log here", "run it in the workspace folder (or pass -w), after `lever registry register` or `lever train`");
        using var registry = ArtifactRegistry.Open(workspace);
        var path = registry.AuditPath;
        var (lines, partial, _) = AuditFile.Read(path);
        var previous = ZeroHash;
        var entries = new List<JsonObject>();
        for (int i = 0; i < lines.Count; i++)
        {
            int n = i + 1;
            JsonObject? entry;
            try
            {
                entry = JsonNode.Parse(lines[i]) as JsonObject;
            }
            catch (JsonException ex)
            {
                return AuditVerification.Broken(lines.Count, n, $"not valid JSON ({ex.Message})");
            }
            if (entry is null) return AuditVerification.Broken(lines.Count, n, "not a JSON object");
            if (entry["seq"] is not JsonValue seq || !seq.TryGetValue<int>(out var s) || s != n)
                return AuditVerification.Broken(lines.Count, n, $"its seq is {entry["seq"]?.ToJsonString() ?? "missing"}, expected {n} (a line was removed or inserted)");
            if (!(entry["prev"] is JsonValue prev && prev.TryGetValue<string>(out var p) && p == previous))
                return AuditVerification.Broken(lines.Count, n, n == 1
                    ? "its prev is not the chain's start (64 zeros)"
                    : $"its prev does not match the SHA-256 of line {n - 1} (line {n - 1} was changed, or this one)");
            previous = HashLine(lines[i]);
            entries.Add(entry);
        }
        if (partial) return AuditVerification.Broken(lines.Count, lines.Count + 1, "an incomplete line (no newline) ends the file");
        var (head, count) = registry.AuditHead();
        if (lines.Count < count)
            return AuditVerification.Broken(lines.Count, lines.Count + 1, $"missing: registry.db records {count} lines but the log has {lines.Count} (its tail was cut)");
        if (lines.Count > count)
            return AuditVerification.Broken(lines.Count, count + 1, $"registry.db records {count} lines; line {count + 1} onwards was added outside Lever");
        if (count > 0 && previous != head)
            return AuditVerification.Broken(lines.Count, count, "its hash differs from the head hash in registry.db (the last line was changed)");
        RegistryState replayed;
        try
        {
            replayed = Replay(entries);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or FormatException)
        {
            return AuditVerification.Broken(lines.Count, count, $"an event cannot be replayed ({ex.Message})");
        }
        if (registry.State().Difference(replayed) is { } difference)
            return AuditVerification.Broken(lines.Count, count, $"the registry's tables differ from a replay of the log: {difference}");
        return AuditVerification.Ok(lines.Count);
    }
}
