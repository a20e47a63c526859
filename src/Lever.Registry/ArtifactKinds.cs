using Lever.Core;

namespace Lever.Registry;

/// <summary>The names of <see cref="ArtifactKind"/> and guessing a kind from a path's files.</summary>
public static class ArtifactKinds
{
    /// <summary>The lower-case name of <paramref name="kind"/>.</summary>
    public static string Name(ArtifactKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses a kind name; a wrong one is a user error naming <paramref name="field"/>.</summary>
    public static ArtifactKind Parse(string text, string field = "--kind") => text.ToLowerInvariant() switch
    {
        "model" => ArtifactKind.Model,
        "adapter" => ArtifactKind.Adapter,
        "recipe" => ArtifactKind.Recipe,
        "index" or "index-snapshot" or "index_snapshot" => ArtifactKind.Index,
        "dataset" or "data" => ArtifactKind.Dataset,
        _ => throw new LeverUserException($"{field} {text}: unknown kind", "use model, adapter, recipe, index or dataset"),
    };

    /// <summary>
    /// The kind the files at <paramref name="path"/> look like: adapter_config.json → adapter, config.json → model,
    /// a .yaml/.yml file → recipe, a .jsonl/.json/.csv file or a folder of them → dataset, a folder with an index store → index.
    /// </summary>
    public static ArtifactKind Guess(string path)
    {
        if (File.Exists(path))
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            return ext is ".yaml" or ".yml" ? ArtifactKind.Recipe : ArtifactKind.Dataset;
        }
        if (File.Exists(Path.Combine(path, "adapter_config.json"))) return ArtifactKind.Adapter;
        if (File.Exists(Path.Combine(path, "config.json"))) return ArtifactKind.Model;
        if (Directory.EnumerateFiles(path, "*.db").Any() || Directory.Exists(Path.Combine(path, "lucene"))) return ArtifactKind.Index;
        if (Directory.EnumerateFiles(path, "*.y*ml").Any() && !Directory.EnumerateFiles(path, "*.jsonl").Any()) return ArtifactKind.Recipe;
        return ArtifactKind.Dataset;
    }
}
