namespace Lever.Core.Config.Internal;

/// <summary>The wording of binder errors: one line, <c>file:line:col: path: what</c>, and a fix as the hint.</summary>
internal static class YamlMessages
{
    public const string FixValue = "fix the value at that line";

    public static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    /// <summary><c>path: what</c>, or <c>field 'path': what</c> when the file names fields with a noun; just <c>what</c> at the top.</summary>
    public static string Subject(YamlSource source, string path, string what) =>
        path.Length == 0 ? what
        : source.FieldNoun is { } noun ? $"{noun} '{path}': {what}"
        : $"{path}: {what}";

    /// <summary>A node that must be a mapping is not.</summary>
    public static LeverUserException NotAMapping(YamlNode node)
    {
        var message = node.Path.Length == 0 ? $"the top level must be a mapping of fields, got {Got(node)}"
            : node.Source.FieldNoun is { } noun ? $"{noun} '{node.Path}' must be a mapping of fields, got {Got(node)}"
            : $"{node.Path}: expected a mapping of fields, got {Got(node)}";
        return new LeverUserException($"{node.Location}: {message}", "write it as `key: value` lines indented under it (or {key: value, …})");
    }

    /// <summary>A key nobody accepts where it stands: cited at the key, with the nearest known name and the whole list.</summary>
    public static LeverUserException Unknown(YamlNode node, IEnumerable<string> known, string? hint)
    {
        var names = known.ToArray();
        if (node.KeyInfo is not { } key) return node.Error("is not expected here", hint);
        var parent = node.Path.Length > key.Name.Length ? node.Path[..^(key.Name.Length + 1)] : "";
        var nearest = Nearest(key.Name, names);
        var suggestion = nearest is null ? "" : $" — did you mean {nearest}?";
        var message = node.Source.FieldNoun is { } noun ? $"unknown {noun} '{node.Path}'{suggestion}"
            : parent.Length == 0 ? $"unknown field '{key.Name}'{suggestion}"
            : $"{node.Path}: unknown field '{key.Name}'{suggestion}";
        var where = parent.Length == 0 ? "the top level" : $"'{parent}'";
        hint ??= names.Length == 0 ? "remove it or fix the spelling" : $"remove it or fix the spelling; {where} takes: {string.Join(", ", names)}";
        return new LeverUserException($"{key.Location(node.Source)}: {message}", hint);
    }

    /// <summary>How a value reads in an error: its text quoted, or its shape.</summary>
    public static string Got(YamlNode node) => node switch
    {
        { IsScalar: true } => $"'{node.Value}'",
        { IsList: true } => "a list",
        { IsMapping: true } => "a mapping",
        _ => "nothing",
    };

    /// <summary>The known name a typo most likely meant: within two edits (one for short names), or one that starts with it.</summary>
    public static string? Nearest(string typed, IReadOnlyList<string> known)
    {
        var limit = typed.Length <= 4 ? 1 : 2;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var d = Distance(typed, name);
            if (d <= limit && d < bestDistance)
            {
                best = name;
                bestDistance = d;
            }
        }
        return best ?? known.FirstOrDefault(n => typed.Length >= 3 && (n.StartsWith(typed, StringComparison.Ordinal) || typed.StartsWith(n, StringComparison.Ordinal)));
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost one.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
