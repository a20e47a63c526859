using System.Text.Json.Nodes;

namespace Lever.Registry;

/// <summary>One registered version: its name and number, kind, content hash, where it was registered from, when, its aliases and lineage.</summary>
public sealed record ArtifactVersion
{
    /// <summary>The artifact's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version number, 1, 2, … per name.</summary>
    public required int Version { get; init; }

    /// <summary>What it is.</summary>
    public required ArtifactKind Kind { get; init; }

    /// <summary>The content hash (<see cref="ContentHash"/>).</summary>
    public required string Sha256 { get; init; }

    /// <summary>Absolute path of the files when they were registered.</summary>
    public required string Path { get; init; }

    /// <summary>When it was registered, UTC ISO-8601.</summary>
    public required string Created { get; init; }

    /// <summary>Who registered it (the OS user).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Aliases that point at this version, sorted.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Where it came from: base model, datasets, recipe, run, hyperparameters — whatever the registering command knew.</summary>
    public JsonObject Lineage { get; init; } = [];

    /// <summary>The reference <c>NAME@vN</c>.</summary>
    public string Reference => $"{Name}@v{Version}";
}
