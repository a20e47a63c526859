using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lever.Training.Runs;

/// <summary>
/// <c>lever_training.json</c>, written next to a pre-trained checkpoint: which text it learned from and how that
/// text was split, so a later fine-tune's forgetting meter can measure on the same held-out slice by default.
/// </summary>
public sealed record PretrainingRecord(
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("validation")] string? Validation,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("validation_fraction")] double ValidationFraction)
{
    /// <summary>File name inside a checkpoint folder.</summary>
    public const string FileName = "lever_training.json";

    /// <summary>Reads the record of <paramref name="modelDirectory"/>, or null when the model was not pre-trained by Lever.</summary>
    public static PretrainingRecord? Read(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<PretrainingRecord>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes it into <paramref name="modelDirectory"/>.</summary>
    public void Write(string modelDirectory) => File.WriteAllText(Path.Combine(modelDirectory, FileName), JsonSerializer.Serialize(this) + "\n");
}
