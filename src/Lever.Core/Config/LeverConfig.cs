namespace Lever.Core.Config;

/// <summary>
/// lever.yaml, read once. Each library binds the section it owns (<c>providers</c>, <c>workload</c>,
/// <c>indexes</c>, …) with <see cref="Section{T}"/>: unknown fields and wrong types are refused with
/// <c>file:line:col: dotted.path: what</c> and a fix, so a typo never silently falls back to a default.
/// A reader whose section is polymorphic takes it apart from <see cref="SectionNode"/>.
/// </summary>
public sealed class LeverConfig
{
    private LeverConfig(string path, YamlNode root)
    {
        Path = path;
        Root = root;
        Sections = root.Keys;
    }

    /// <summary>The file this came from, or "(none)" for an empty config.</summary>
    public string Path { get; }

    /// <summary>Top-level keys present in the file.</summary>
    public IReadOnlyList<string> Sections { get; }

    /// <summary>The whole file as a node tree (a null node for an empty file), for checks that cite a field after binding.</summary>
    public YamlNode Root { get; }

    /// <summary>An empty configuration (no lever.yaml).</summary>
    public static LeverConfig Empty { get; } = new("(none)", YamlNode.Parse("(none)", ""));

    /// <summary>Loads lever.yaml at <paramref name="path"/>, or <see cref="Empty"/> when the file does not exist.</summary>
    public static LeverConfig Load(string path) => File.Exists(path) ? Parse(path, File.ReadAllText(path)) : Empty;

    /// <summary>Parses YAML text; <paramref name="path"/> names it in errors.</summary>
    public static LeverConfig Parse(string path, string text)
    {
        var root = YamlNode.Parse(path, text);
        if (!root.IsNull && !root.IsMapping)
            throw root.Error("the top level must be a mapping of sections (providers:, workload:, …)", "start each section at column 1 followed by a colon, e.g. `providers:`");
        return new LeverConfig(path, root);
    }

    /// <summary>True when the file has a top-level <paramref name="name"/> section.</summary>
    public bool Has(string name) => Sections.Contains(name, StringComparer.Ordinal);

    /// <summary>The section <paramref name="name"/> as a node, or null when it is absent or empty.</summary>
    public YamlNode? SectionNode(string name) => Root.Field(name);

    /// <summary>
    /// Binds section <paramref name="name"/> to <typeparamref name="T"/> (snake_case fields). Returns null when absent.
    /// </summary>
    public T? Section<T>(string name) where T : class => SectionNode(name)?.Bind<T>();

    /// <summary>
    /// A user error about the field at <paramref name="dottedPath"/> (<c>lab.llm.vocab</c>), cited at its line when the
    /// file has it and at its nearest written parent when the value is a default.
    /// </summary>
    public LeverUserException ErrorAt(string dottedPath, string what, string? hint = null) => Root.ErrorAt(dottedPath, what, hint);

    /// <summary>Binds a standalone YAML file (for example a recipe file) to <typeparamref name="T"/>.</summary>
    public static T BindFile<T>(string path) where T : class => LoadFile(path).Bind<T>()!;

    /// <summary>Parses a standalone YAML file whose fields a caller binds and then checks; a missing or empty file is a user error.</summary>
    public static YamlNode LoadFile(string path)
    {
        var root = YamlNode.Load(path);
        return root.IsNull ? throw new LeverUserException($"{path}:1:1: the file is empty", "write the fields as `key: value` lines") : root;
    }
}
