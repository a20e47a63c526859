using System.Globalization;
using System.Text.RegularExpressions;
using Lever.Core;

namespace Lever.Registry;

/// <summary>
/// A reference to a registered version in MLflow's notation: <c>NAME@vN</c> (a version) or <c>NAME@ALIAS</c> (an alias such
/// as <c>champion</c>). <c>:</c> is never a separator: it belongs to names like <c>llama3:8b</c> and to <c>ft:</c> ids.
/// A bare <c>NAME</c> means its latest version where a command allows it.
/// </summary>
public sealed partial record ArtifactReference(string Name, int? Version, string? Alias)
{
    /// <summary>Parses <paramref name="text"/>; a malformed reference is a user error.</summary>
    public static ArtifactReference Parse(string text)
    {
        var at = text.LastIndexOf('@');
        var name = at < 0 ? text : text[..at];
        CheckName(name, text);
        if (at < 0) return new ArtifactReference(name, null, null);
        var tail = text[(at + 1)..];
        if (VersionPattern().Match(tail) is { Success: true } m)
            return new ArtifactReference(name, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), null);
        if (!AliasPattern().IsMatch(tail))
            throw new LeverUserException($"{text}: '{tail}' is neither a version (v1, v2, …) nor an alias name", "write NAME@vN or NAME@ALIAS, e.g. support-bot@v2 or support-bot@champion");
        return new ArtifactReference(name, null, tail);
    }

    /// <summary>True when <paramref name="text"/> is written as a registry reference (<c>NAME@…</c>, not a path).</summary>
    public static bool IsReference(string text) =>
        text.Contains('@') && !text.Contains('/') && !text.Contains('\\') && text.IndexOf('@') > 0;

    /// <summary>Checks a registry name: letters, digits and <c>. _ - :</c>, no <c>@</c> or <c>/</c>.</summary>
    public static void CheckName(string name, string? shown = null)
    {
        if (!NamePattern().IsMatch(name))
            throw new LeverUserException($"{shown ?? name}: '{name}' is not a registry name", "use letters, digits and . _ - : (no @ or /), e.g. support-bot or llama3:8b");
    }

    /// <summary>Checks an alias name (a letter, then letters, digits, <c>_</c> or <c>-</c>; not v followed by digits).</summary>
    public static void CheckAlias(string alias)
    {
        if (!AliasPattern().IsMatch(alias) || VersionPattern().IsMatch(alias))
            throw new LeverUserException($"--alias {alias}: not an alias name", "use a word such as champion or challenger (vN is a version, not an alias)");
    }

    /// <summary>The reference as written: NAME, NAME@vN or NAME@ALIAS.</summary>
    public override string ToString() => Version is { } v ? $"{Name}@v{v.ToString(CultureInfo.InvariantCulture)}" : Alias is { } a ? $"{Name}@{a}" : Name;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^v([0-9]+)$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex AliasPattern();
}
