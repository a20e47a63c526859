using System.Text.Json;

namespace Lever.Lab.Pipeline;

/// <summary>
/// <c>.lever/lab/manifest.json</c>: the state of every stage. Written atomically after each change, so a run killed
/// at any point leaves a manifest that says exactly which stages finished.
/// </summary>
public sealed class LabManifest
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Format version.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Stages by name.</summary>
    public Dictionary<string, StageRecord> Stages { get; set; } = [];

    /// <summary>Reads the manifest at <paramref name="path"/>; a missing or unreadable one is an empty manifest (everything re-runs).</summary>
    public static LabManifest Load(string path)
    {
        if (!File.Exists(path)) return new LabManifest();
        try
        {
            return JsonSerializer.Deserialize<LabManifest>(File.ReadAllText(path), Json) ?? new LabManifest();
        }
        catch (JsonException)
        {
            return new LabManifest();
        }
    }

    /// <summary>Writes the manifest to <paramref name="path"/> through a temporary file and a rename.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}
