using System.Globalization;
using Lever.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lever.Advisor.Internal;

/// <summary>
/// Strict reader over one YAML mapping: each getter names the full field path in its error, and
/// <see cref="Done"/> refuses keys nobody asked for — a typo must never fall back to a default silently.
/// LeverConfig's binder reports the line but not the dotted path, which is what a nested workload needs.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private YamlSection(string file, string path, YamlMappingNode node)
    {
        File = file;
        Path = path;
        _node = node;
    }

    public string File { get; }

    public string Path { get; }

    /// <summary>Loads a whole YAML text; its top level must be a mapping.</summary>
    public static YamlSection Parse(string file, string text, string what)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new LeverUserException($"{file}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {ex.Message}", "fix the YAML syntax at that line");
        }
        catch (InvalidOperationException)
        {
            throw new LeverUserException($"{file}: invalid YAML: unclosed bracket, brace or quote", "check that every [, { and quote is closed");
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
            throw new LeverUserException($"{file}: the {what} file is empty", $"see docs/ADVISOR.md for the {what} fields");
        return Of(file, "", stream.Documents[0].RootNode, what);
    }

    public static YamlSection Of(string file, string path, YamlNode node, string what)
    {
        if (node is YamlMappingNode map) return new YamlSection(file, path, map);
        throw Fail(file, node, path.Length == 0 ? $"the {what} must be a mapping of fields" : $"field '{path}' must be a mapping of fields", null);
    }

    public bool Has(string key) => Find(key) is { } n && !IsNull(n);

    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public YamlSection? Section(string key)
    {
        var n = Take(key);
        return n is null ? null : Of(File, Sub(key), n, "section");
    }

    /// <summary>The raw node (for callers that hand a sub-tree to another reader).</summary>
    public YamlNode? Node(string key) => Take(key);

    public string? String(string key)
    {
        var n = Take(key);
        if (n is null) return null;
        if (n is YamlScalarNode s) return s.Value;
        throw Fail(n, key, "expected a text value");
    }

    public double? Number(string key, double min = 0, double max = double.MaxValue)
    {
        var n = Take(key);
        if (n is null) return null;
        if (n is YamlScalarNode s && double.TryParse((s.Value ?? "").Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            if (v < min || v > max)
                throw Fail(n, key, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {(max == double.MaxValue ? "∞" : max.ToString(CultureInfo.InvariantCulture))}, got {s.Value}");
            return v;
        }
        throw Fail(n, key, $"expected a number, got {Show(n)}");
    }

    public long? Integer(string key, long min = 0)
    {
        var n = Take(key);
        if (n is null) return null;
        if (n is YamlScalarNode s && long.TryParse((s.Value ?? "").Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            if (v < min) throw Fail(n, key, $"must be at least {min}, got {v}");
            return v;
        }
        throw Fail(n, key, $"expected a whole number, got {Show(n)}");
    }

    public bool? Bool(string key)
    {
        var n = Take(key);
        if (n is null) return null;
        if (n is YamlScalarNode s && bool.TryParse(s.Value, out var v)) return v;
        throw Fail(n, key, $"expected true or false, got {Show(n)}");
    }

    public T? Enum<T>(string key) where T : struct, System.Enum
    {
        var n = Take(key);
        if (n is null) return null;
        return ParseEnum<T>(n, key);
    }

    public IReadOnlyList<T>? EnumList<T>(string key) where T : struct, System.Enum
    {
        var n = Take(key);
        if (n is null) return null;
        if (n is YamlScalarNode) return [ParseEnum<T>(n, key)];
        if (n is not YamlSequenceNode seq) throw Fail(n, key, $"expected a list of {string.Join(" | ", Names.All<T>())}");
        return seq.Children.Select((c, i) => ParseEnum<T>(c, $"{key}[{i}]")).ToArray();
    }

    public IReadOnlyList<string>? StringList(string key)
    {
        var n = Take(key);
        if (n is null) return null;
        if (n is YamlScalarNode s) return [s.Value ?? ""];
        if (n is not YamlSequenceNode seq) throw Fail(n, key, "expected a list of text values");
        return seq.Children.Select((c, i) => c is YamlScalarNode cs ? cs.Value ?? "" : throw Fail(c, $"{key}[{i}]", "expected a text value")).ToArray();
    }

    /// <summary>Refuses any key that no getter read: unknown or misspelled fields.</summary>
    public void Done(IEnumerable<string>? allowed = null)
    {
        var extra = allowed?.ToHashSet(StringComparer.Ordinal);
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? k.ToString();
            if (_read.Contains(name) || (extra?.Contains(name) ?? false)) continue;
            throw new LeverUserException(
                $"{File}:{k.Start.Line}:{k.Start.Column}: unknown field '{Sub(name)}'",
                $"remove it or fix the spelling; see docs/ADVISOR.md for the accepted fields{(Path.Length > 0 ? $" of '{Path}'" : "")}");
        }
    }

    public LeverUserException Error(string key, string message)
    {
        var n = Find(key);
        return n is null ? new LeverUserException($"{File}: field '{Sub(key)}': {message}", "see docs/ADVISOR.md") : Fail(n, key, message);
    }

    private T ParseEnum<T>(YamlNode n, string key) where T : struct, System.Enum
    {
        if (n is YamlScalarNode s && Names.TryParse<T>(s.Value ?? "", out var v)) return v;
        throw Fail(n, key, $"expected one of {string.Join(" | ", Names.All<T>())}, got {Show(n)}");
    }

    private YamlNode? Find(string key) =>
        _node.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n : null;

    private YamlNode? Take(string key)
    {
        _read.Add(key);
        var n = Find(key);
        return n is null || IsNull(n) ? null : n;
    }

    private string Sub(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private LeverUserException Fail(YamlNode n, string key, string message) => Fail(File, n, $"field '{Sub(key)}': {message}", null);

    private static LeverUserException Fail(string file, YamlNode n, string message, string? hint) =>
        new($"{file}:{n.Start.Line}:{n.Start.Column}: {message}", hint ?? "fix the value at that line; docs/ADVISOR.md lists each field, its type and default");

    private static bool IsNull(YamlNode n) =>
        n is YamlScalarNode { Style: ScalarStyle.Plain } s && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static string Show(YamlNode n) => n switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an unexpected value",
    };
}
