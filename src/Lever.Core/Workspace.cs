namespace Lever.Core;

/// <summary>
/// A user's Lever workspace: a folder with an optional <c>lever.yaml</c> and Lever's state under <c>.lever/</c>.
/// </summary>
public sealed class Workspace
{
    /// <summary>Name of the configuration file at the workspace root.</summary>
    public const string ConfigFileName = "lever.yaml";

    private Workspace(string root) => Root = Path.GetFullPath(root);

    /// <summary>The workspace folder.</summary>
    public string Root { get; }

    /// <summary>Path of lever.yaml (it may not exist).</summary>
    public string ConfigPath => Path.Combine(Root, ConfigFileName);

    /// <summary>Lever's state folder, <c>.lever/</c>.</summary>
    public string StateDir => Path.Combine(Root, ".lever");

    /// <summary><c>.lever/models</c>: checkpoints Lever made or imported.</summary>
    public string ModelsDir => Path.Combine(StateDir, "models");

    /// <summary><c>.lever/adapters</c>: LoRA adapters.</summary>
    public string AdaptersDir => Path.Combine(StateDir, "adapters");

    /// <summary><c>.lever/indexes</c>: retrieval indexes.</summary>
    public string IndexesDir => Path.Combine(StateDir, "indexes");

    /// <summary><c>.lever/runs</c>: eval and training runs.</summary>
    public string RunsDir => Path.Combine(StateDir, "runs");

    /// <summary><c>.lever/cache</c>: derived artefacts that can always be rebuilt.</summary>
    public string CacheDir => Path.Combine(StateDir, "cache");

    /// <summary>Opens the workspace at <paramref name="root"/> (default: the current directory).</summary>
    public static Workspace Open(string? root = null) => new(root ?? Directory.GetCurrentDirectory());

    /// <summary>Returns <paramref name="path"/> after creating it if needed.</summary>
    public static string Ensure(string path)
    {
        Directory.CreateDirectory(path);
        return path;
    }
}
