using System.Globalization;
using Lever.Advisor.Internal;
using Lever.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lever.Advisor;

/// <summary>
/// The thresholds and assumptions of the rules and the cost model, read from YAML so they can be edited
/// without touching code. The default ships embedded (Resources/policy.yaml, each figure with its source);
/// a user policy file overrides any subset of fields and may not invent new ones. Fields are addressed by
/// dotted path (<c>volume.fine_tune_pays_requests_per_month</c>), which is also how the rationale cites them.
/// </summary>
public sealed class AdvisorPolicy
{
    private readonly Dictionary<string, double> _numbers;
    private readonly Dictionary<string, string> _texts;
    private readonly Dictionary<string, IReadOnlyList<string>> _lists;

    private AdvisorPolicy(string origin, Dictionary<string, double> numbers, Dictionary<string, string> texts, Dictionary<string, IReadOnlyList<string>> lists)
    {
        Origin = origin;
        _numbers = numbers;
        _texts = texts;
        _lists = lists;
    }

    /// <summary>"embedded default" or the override file's path.</summary>
    public string Origin { get; }

    /// <summary>The embedded default policy.</summary>
    public static AdvisorPolicy Default { get; } = LoadDefault();

    /// <summary>The embedded default policy's YAML text (for `lever advise --print-policy`).</summary>
    public static string DefaultYaml
    {
        get
        {
            using var s = typeof(AdvisorPolicy).Assembly.GetManifestResourceStream("Lever.Advisor.policy.yaml")
                ?? throw new InvalidOperationException("embedded policy.yaml is missing from Lever.Advisor");
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
    }

    /// <summary>A numeric field by dotted path.</summary>
    public double this[string path] => _numbers.TryGetValue(path, out var v) ? v : throw new KeyNotFoundException($"policy has no numeric field '{path}'");

    /// <summary>A text field by dotted path.</summary>
    public string Text(string path) => _texts.TryGetValue(path, out var v) ? v : throw new KeyNotFoundException($"policy has no text field '{path}'");

    /// <summary>A list field by dotted path.</summary>
    public IReadOnlyList<string> List(string path) => _lists.TryGetValue(path, out var v) ? v : throw new KeyNotFoundException($"policy has no list field '{path}'");

    /// <summary>"policy path = value" for rationale and basis strings.</summary>
    public string Cite(string path) => $"policy {path} = {this[path].ToString("#,0.###", CultureInfo.InvariantCulture)}";

    /// <summary>Reads an override file and applies it over this policy.</summary>
    public AdvisorPolicy WithFile(string path)
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: policy file not found", "pass an existing file to --policy; `lever advise --print-policy` prints the default to start from");
        return WithYaml(path, File.ReadAllText(path));
    }

    /// <summary>Applies override YAML <paramref name="text"/> (named <paramref name="file"/> in errors) over this policy.</summary>
    public AdvisorPolicy WithYaml(string file, string text)
    {
        var numbers = new Dictionary<string, double>(_numbers, StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(_texts, StringComparer.Ordinal);
        var lists = new Dictionary<string, IReadOnlyList<string>>(_lists, StringComparer.Ordinal);
        foreach (var (path, node) in Flatten(file, text))
        {
            var where = $"{file}:{node.Start.Line}:{node.Start.Column}";
            if (_numbers.ContainsKey(path))
            {
                if (node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0)
                    numbers[path] = v;
                else throw new LeverUserException($"{where}: policy field '{path}': expected a non-negative number", "fix the value; the default policy (`lever advise --print-policy`) shows each field");
            }
            else if (_texts.ContainsKey(path))
            {
                texts[path] = node is YamlScalarNode s ? s.Value ?? "" : throw new LeverUserException($"{where}: policy field '{path}': expected a text value");
            }
            else if (_lists.ContainsKey(path))
            {
                lists[path] = ReadList(where, path, node);
            }
            else
            {
                throw new LeverUserException($"{where}: unknown policy field '{path}'", "remove it or fix the spelling; `lever advise --print-policy` lists every field");
            }
        }
        Validate(file, lists);
        return new AdvisorPolicy(file, numbers, texts, lists);
    }

    private static AdvisorPolicy LoadDefault()
    {
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (path, node) in Flatten("policy.yaml (embedded)", DefaultYaml))
        {
            if (node is YamlSequenceNode) lists[path] = ReadList(path, path, node);
            else if (node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) numbers[path] = v;
            else if (node is YamlScalarNode t) texts[path] = t.Value ?? "";
        }
        Validate("policy.yaml (embedded)", lists);
        return new AdvisorPolicy("embedded default", numbers, texts, lists);
    }

    private static void Validate(string file, Dictionary<string, IReadOnlyList<string>> lists)
    {
        foreach (var c in lists["knowledge.stable_changes"])
        {
            if (!Names.TryParse<ChangeFrequency>(c, out _))
                throw new LeverUserException($"{file}: policy field 'knowledge.stable_changes': '{c}' is not one of {string.Join(" | ", Names.All<ChangeFrequency>())}");
        }
    }

    private static IReadOnlyList<string> ReadList(string where, string path, YamlNode node) =>
        node is YamlSequenceNode seq
            ? seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new LeverUserException($"{where}: policy field '{path}': expected a list of text values")).ToArray()
            : throw new LeverUserException($"{where}: policy field '{path}': expected a list");

    /// <summary>Leaf fields as (dotted path, node); mappings nest, sequences and scalars are leaves.</summary>
    private static List<(string Path, YamlNode Node)> Flatten(string file, string text)
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
        var leaves = new List<(string, YamlNode)>();
        if (stream.Documents.Count == 0) return leaves;
        void Walk(string prefix, YamlNode node)
        {
            if (node is YamlMappingNode map)
            {
                foreach (var (k, v) in map.Children)
                    Walk(prefix.Length == 0 ? ((YamlScalarNode)k).Value! : $"{prefix}.{((YamlScalarNode)k).Value}", v);
            }
            else if (prefix.Length == 0)
            {
                throw new LeverUserException($"{file}: a policy file must be a mapping of sections (volume:, data_bands:, …)");
            }
            else
            {
                leaves.Add((prefix, node));
            }
        }
        Walk("", stream.Documents[0].RootNode);
        return leaves;
    }
}
