using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lever.Core.Data;

namespace Lever.Training.Data;

/// <summary>
/// Turns JSONL lines into <see cref="TrainingRecord"/>s, or a one-line reason why a line cannot train.
/// The format is fixed by the first valid line; a later line of another shape is an error, not a silent skip.
/// </summary>
public sealed class TrainingRecordParser
{
    private static readonly string[] Roles = ["system", "user", "assistant"];

    /// <summary>The format, once a line has fixed it (or the one forced at construction).</summary>
    public DatasetFormat? Format { get; private set; }

    /// <summary>Creates a parser; <paramref name="format"/> forces a format instead of detecting it.</summary>
    public TrainingRecordParser(DatasetFormat? format = null) => Format = format;

    /// <summary>Detects the format of one JSON object from its keys, or null when it has none of them.</summary>
    public static DatasetFormat? Detect(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) return null;
        if (value.TryGetProperty("messages", out _)) return DatasetFormat.Messages;
        if (value.TryGetProperty("prompt", out _) || value.TryGetProperty("completion", out _)) return DatasetFormat.PromptCompletion;
        if (value.TryGetProperty("text", out _)) return DatasetFormat.Text;
        return null;
    }

    /// <summary>Parses one line: a record, or null with <paramref name="error"/> saying what is wrong.</summary>
    public TrainingRecord? Parse(JsonlLine line, out string? error)
    {
        if (!line.IsValid)
        {
            error = line.Error;
            return null;
        }
        var detected = Detect(line.Value);
        if (detected is null)
        {
            error = "no \"text\", \"prompt\"/\"completion\" or \"messages\" field";
            return null;
        }
        Format ??= detected;
        if (detected != Format)
        {
            error = $"this line is {Describe(detected.Value)} but the file is {Describe(Format.Value)}; use one format per file";
            return null;
        }
        return Format switch
        {
            DatasetFormat.Text => ParseText(line, out error),
            DatasetFormat.PromptCompletion => ParsePromptCompletion(line, out error),
            _ => ParseMessages(line, out error),
        };
    }

    /// <summary>How a format is written in a JSONL line, for messages.</summary>
    public static string Describe(DatasetFormat format) => format switch
    {
        DatasetFormat.Text => "{\"text\"}",
        DatasetFormat.PromptCompletion => "{\"prompt\",\"completion\"}",
        _ => "{\"messages\"}",
    };

    private static TrainingRecord? ParseText(JsonlLine line, out string? error)
    {
        var text = RequireString(line.Value, "text", out error);
        if (text is null) return null;
        return new TrainingRecord(line.LineNumber, DatasetFormat.Text, text, null, null, null, Hash("t", text));
    }

    private static TrainingRecord? ParsePromptCompletion(JsonlLine line, out string? error)
    {
        var prompt = RequireString(line.Value, "prompt", out error, allowEmpty: true);
        if (prompt is null) return null;
        var completion = RequireString(line.Value, "completion", out error);
        if (completion is null) return null;
        return new TrainingRecord(line.LineNumber, DatasetFormat.PromptCompletion, null, prompt, completion, null, Hash("p", prompt, "c", completion));
    }

    private static TrainingRecord? ParseMessages(JsonlLine line, out string? error)
    {
        var array = line.Value.GetProperty("messages");
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            error = "\"messages\" must be a non-empty array of {\"role\",\"content\"}";
            return null;
        }
        var messages = new List<TrainingMessage>();
        var parts = new List<string>();
        int index = 0;
        foreach (var m in array.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object)
            {
                error = $"messages[{index}] is not an object";
                return null;
            }
            var role = RequireString(m, "role", out error);
            if (role is null)
            {
                error = $"messages[{index}]: {error}";
                return null;
            }
            if (!Roles.Contains(role))
            {
                error = $"messages[{index}].role is \"{role}\"; expected system, user or assistant";
                return null;
            }
            var content = RequireString(m, "content", out error, allowEmpty: role != "assistant");
            if (content is null)
            {
                error = $"messages[{index}]: {error}";
                return null;
            }
            messages.Add(new TrainingMessage(role, content));
            parts.Add(role);
            parts.Add(content);
            index++;
        }
        if (!messages.Any(m => m.Role == "assistant"))
        {
            error = "no assistant message: there is nothing to learn from this conversation";
            return null;
        }
        error = null;
        return new TrainingRecord(line.LineNumber, DatasetFormat.Messages, null, null, null, messages, Hash([.. parts]));
    }

    private static string? RequireString(JsonElement obj, string field, out string? error, bool allowEmpty = false)
    {
        if (!obj.TryGetProperty(field, out var value))
        {
            error = $"missing field \"{field}\"";
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            error = $"field \"{field}\" must be a string, found {value.ValueKind.ToString().ToLowerInvariant()}";
            return null;
        }
        var s = value.GetString()!;
        if (!allowEmpty && s.Trim().Length == 0)
        {
            error = $"field \"{field}\" is empty";
            return null;
        }
        error = null;
        return s;
    }

    /// <summary>64 bits of SHA-256 over length-prefixed parts: collisions are negligible and the value is stable across runs.</summary>
    private static ulong Hash(params string[] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[4];
        foreach (var p in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(p);
            BitConverter.TryWriteBytes(len, bytes.Length);
            sha.AppendData(len);
            sha.AppendData(bytes);
        }
        return BitConverter.ToUInt64(sha.GetHashAndReset(), 0);
    }
}
