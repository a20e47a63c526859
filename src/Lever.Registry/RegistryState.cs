namespace Lever.Registry;

/// <summary>
/// What the registry holds, in a comparable form: every version (<c>name@vN</c> → <c>kind sha256</c>), every alias
/// (<c>name@alias</c> → version) and the number of attached evaluations. The registry's tables and a replay of the audit log must agree.
/// </summary>
public sealed record RegistryState(SortedDictionary<string, string> Versions, SortedDictionary<string, int> Aliases, int Evals)
{
    /// <summary>An empty registry.</summary>
    public static RegistryState Empty() => new(new(StringComparer.Ordinal), new(StringComparer.Ordinal), 0);

    /// <summary>The first difference from <paramref name="other"/> in words, or null when both hold the same.</summary>
    public string? Difference(RegistryState other)
    {
        foreach (var (k, v) in Versions)
            if (!other.Versions.TryGetValue(k, out var o)) return $"{k} ({v}) is only in the first";
            else if (o != v) return $"{k}: {v} vs {o}";
        foreach (var k in other.Versions.Keys)
            if (!Versions.ContainsKey(k)) return $"{k} ({other.Versions[k]}) is only in the second";
        foreach (var (k, v) in Aliases)
            if (!other.Aliases.TryGetValue(k, out var o)) return $"alias {k} → v{v} is only in the first";
            else if (o != v) return $"alias {k}: v{v} vs v{o}";
        foreach (var k in other.Aliases.Keys)
            if (!Aliases.ContainsKey(k)) return $"alias {k} → v{other.Aliases[k]} is only in the second";
        return Evals != other.Evals ? $"{Evals} vs {other.Evals} attached evaluations" : null;
    }
}
