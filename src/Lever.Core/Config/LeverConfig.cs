using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Lever.Core.Config;

/// <summary>
/// lever.yaml, read once. Each library binds the section it owns (<c>providers</c>, <c>workload</c>,
/// <c>indexes</c>, …) with <see cref="Section{T}"/>: unknown fields and wrong types are refused with
/// the file, line and field path, so a typo never silently falls back to a default.
/// </summary>
public sealed class LeverConfig
{
    private readonly string _text;

    private LeverConfig(string path, string text, IReadOnlyList<string> sections)
    {
        Path = path;
        _text = text;
        Sections = sections;
    }

    /// <summary>The file this came from, or "(none)" for an empty config.</summary>
    public string Path { get; }

    /// <summary>Top-level keys present in the file.</summary>
    public IReadOnlyList<string> Sections { get; }

    /// <summary>An empty configuration (no lever.yaml).</summary>
    public static LeverConfig Empty { get; } = new("(none)", "{}", []);

    /// <summary>Loads lever.yaml at <paramref name="path"/>, or <see cref="Empty"/> when the file does not exist.</summary>
    public static LeverConfig Load(string path)
    {
        if (!File.Exists(path)) return Empty;
        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>Parses YAML text; <paramref name="path"/> names it in errors.</summary>
    public static LeverConfig Parse(string path, string text)
    {
        var keys = new List<string>();
        try
        {
            // A full load first: it reports syntax errors with their position, which the event scan below does not.
            new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(text));
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return new LeverConfig(path, "{}", keys);
            parser.Consume<DocumentStart>();
            if (parser.Accept<Scalar>(out var empty) && string.IsNullOrEmpty(empty.Value))
                return new LeverConfig(path, "{}", keys);
            if (!parser.TryConsume<MappingStart>(out _))
                throw new LeverUserException($"{path}: the top level must be a mapping of sections (providers:, workload:, …)");
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>();
                keys.Add(key.Value);
                parser.SkipThisAndNestedEvents();
            }
        }
        catch (YamlException ex)
        {
            throw new LeverUserException($"{path}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {ex.Message}", "fix the YAML syntax at that line");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on an unclosed flow collection or quote.
            throw new LeverUserException($"{path}: invalid YAML: unclosed bracket, brace or quote", "check that every [, { and quote is closed");
        }
        return new LeverConfig(path, text, keys);
    }

    /// <summary>True when the file has a top-level <paramref name="name"/> section.</summary>
    public bool Has(string name) => Sections.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Binds section <paramref name="name"/> to <typeparamref name="T"/> (snake_case fields). Returns null when absent.
    /// </summary>
    public T? Section<T>(string name) where T : class
    {
        if (!Has(name)) return null;
        var parser = new Parser(new StringReader(_text));
        parser.Consume<StreamStart>();
        parser.Consume<DocumentStart>();
        parser.Consume<MappingStart>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            if (key.Value != name)
            {
                parser.SkipThisAndNestedEvents();
                continue;
            }
            return Bind<T>(parser, Path, name);
        }
        return null;
    }

    /// <summary>Binds a standalone YAML file (for example a workload file) to <typeparamref name="T"/>.</summary>
    public static T BindFile<T>(string path) where T : class
    {
        if (!File.Exists(path)) throw new LeverUserException($"{path}: file not found");
        var parser = new Parser(new StringReader(File.ReadAllText(path)));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) throw new LeverUserException($"{path}: the file is empty");
        parser.Consume<DocumentStart>();
        return Bind<T>(parser, path, "") ?? throw new LeverUserException($"{path}: the file is empty");
    }

    private static T? Bind<T>(IParser parser, string path, string section) where T : class
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        try
        {
            return deserializer.Deserialize<T>(parser);
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            var where = section.Length > 0 ? $" (in section '{section}')" : "";
            throw new LeverUserException(
                $"{path}:{ex.Start.Line}:{ex.Start.Column}: {Describe(reason)}{where}",
                "fix the field at that line; `lever --help` and docs/ list the fields each section accepts", ex);
        }
    }

    private static string Describe(string reason)
    {
        // YamlDotNet: "Property 'x' not found on type 'Lever.Y'." — say it in the user's words.
        const string marker = "Property '";
        if (reason.StartsWith(marker, StringComparison.Ordinal) && reason.Contains("not found on type", StringComparison.Ordinal))
        {
            var field = reason[marker.Length..reason.IndexOf('\'', marker.Length)];
            return $"unknown field '{field}'";
        }
        return reason.TrimEnd('.');
    }
}
