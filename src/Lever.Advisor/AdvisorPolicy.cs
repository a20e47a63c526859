using System.Globalization;
using Lever.Advisor.Internal;
using Lever.Core;
using Lever.Core.Config;

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
        const string Fix = "fix the value; the default policy (`lever advise --print-policy`) shows each field";
        var numbers = new Dictionary<string, double>(_numbers, StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(_texts, StringComparer.Ordinal);
        var lists = new Dictionary<string, IReadOnlyList<string>>(_lists, StringComparer.Ordinal);
        foreach (var node in Leaves(YamlNode.Parse(file, text, "policy field")))
        {
            var path = node.Path;
            if (path == "evidence.accuracy_tie_points") throw DecisionOptions.Renamed(node);
            if (_numbers.ContainsKey(path))
                numbers[path] = node.TryBind<double>(out var v) && v >= 0 ? v : throw node.Error("expected a non-negative number", Fix);
            else if (_texts.ContainsKey(path))
                texts[path] = node.IsList || node.IsMapping ? throw node.Error("expected a text value", Fix) : node.Value ?? "";
            else if (_lists.ContainsKey(path))
                lists[path] = ReadList(node);
            else
                throw node.UnknownError(Children(Parent(path)), "remove it or fix the spelling; `lever advise --print-policy` lists every field");
        }
        return new AdvisorPolicy(file, numbers, texts, lists);
    }

    /// <summary>This policy with the numeric field <paramref name="path"/> set to <paramref name="value"/>, cited as coming from <paramref name="origin"/>.</summary>
    internal AdvisorPolicy With(string path, double value, string origin)
    {
        if (!_numbers.ContainsKey(path)) throw new KeyNotFoundException($"policy has no numeric field '{path}'");
        var numbers = new Dictionary<string, double>(_numbers, StringComparer.Ordinal) { [path] = value };
        return new AdvisorPolicy(Origin == "embedded default" ? origin : $"{Origin} + {origin}", numbers, _texts, _lists);
    }

    private static AdvisorPolicy LoadDefault()
    {
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var node in Leaves(YamlNode.Parse("policy.yaml (embedded)", DefaultYaml, "policy field")))
        {
            if (node.IsList) lists[node.Path] = ReadList(node);
            else if (node.TryBind<double>(out var v)) numbers[node.Path] = v;
            else texts[node.Path] = node.Value ?? "";
        }
        return new AdvisorPolicy("embedded default", numbers, texts, lists);
    }

    private static IReadOnlyList<string> ReadList(YamlNode node)
    {
        if (!node.IsList) throw node.Error("expected a list", "write it as [a, b] or as `- a` lines");
        var items = node.Bind<List<string>>()!;
        if (node.Path == "knowledge.stable_changes")
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (!Names.TryParse<ChangeFrequency>(items[i], out _))
                    throw node.Items[i].Error($"'{items[i]}' is not one of {string.Join(" | ", Names.All<ChangeFrequency>())}", "list change frequencies that count as stable");
            }
        }
        return items;
    }

    /// <summary>The field names directly under <paramref name="parent"/> ("" for the top) in the default policy, for suggestions.</summary>
    private IEnumerable<string> Children(string parent) =>
        _numbers.Keys.Concat(_texts.Keys).Concat(_lists.Keys)
            .Where(k => parent.Length == 0 || k.StartsWith(parent + ".", StringComparison.Ordinal))
            .Select(k => (parent.Length == 0 ? k : k[(parent.Length + 1)..]).Split('.')[0])
            .Distinct(StringComparer.Ordinal);

    private static string Parent(string path) => path.LastIndexOf('.') is var dot and >= 0 ? path[..dot] : "";

    /// <summary>Leaf fields (mappings nest; lists, scalars and empty values are leaves) at their dotted paths.</summary>
    private static IEnumerable<YamlNode> Leaves(YamlNode root)
    {
        if (root.IsNull) return [];
        if (!root.IsMapping) throw root.Error("a policy file must be a mapping of sections (volume:, data_bands:, …)", "start from `lever advise --print-policy`");
        return Walk(root);

        static IEnumerable<YamlNode> Walk(YamlNode node)
        {
            foreach (var child in node.Values)
            {
                if (!child.IsMapping)
                {
                    yield return child;
                    continue;
                }
                foreach (var leaf in Walk(child)) yield return leaf;
            }
        }
    }
}
