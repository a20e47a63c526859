// model.safetensors.index.json, the map from tensor name to shard file that HF writes for checkpoints split into
// several safetensors files: {"metadata": {"total_size": N}, "weight_map": {name: "model-00001-of-00002.safetensors"}}.
using System.Text.Json;
using System.Text.Json.Nodes;
using Lever.Core;

namespace Lever.Engine.Checkpoints;

/// <summary>Reads and writes a sharded checkpoint's index.</summary>
public static class SafeTensorsIndex
{
    /// <summary>The weight_map of the index at <paramref name="path"/>; errors name the file and field.</summary>
    public static IReadOnlyDictionary<string, string> ReadWeightMap(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new LeverUserException($"{path}: invalid JSON at line {ex.LineNumber + 1}", "re-download or re-save the checkpoint", ex);
        }
        if (root?["weight_map"] is not JsonObject map)
            throw new LeverUserException($"{path}: field weight_map is missing or not an object", "re-download or re-save the checkpoint");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, file) in map)
        {
            if (file is not JsonValue v || !v.TryGetValue<string>(out var f) || f.Contains('/') || f.Contains('\\'))
                throw new LeverUserException($"{path}: field weight_map.{name} must be a file name in the same folder", "re-download or re-save the checkpoint");
            result[name] = f;
        }
        return result;
    }

    /// <summary>Writes the index for <paramref name="weightMap"/> holding <paramref name="totalBytes"/> of tensor data.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> weightMap, long totalBytes)
    {
        var map = new JsonObject();
        foreach (var (name, file) in weightMap.OrderBy(kv => kv.Key, StringComparer.Ordinal)) map[name] = file;
        var root = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = totalBytes }, ["weight_map"] = map };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
