using Lever.Core.Config.Internal;

namespace Lever.Core.Config;

/// <summary>
/// One node of a YAML file — a mapping, a list, a text/number scalar or null — that knows its file, line, column
/// and dotted field path (<c>providers.openai.timeout_seconds</c>, <c>recipes[2].few_shot.k</c>).
/// <see cref="Bind{T}"/> turns it into a C# type strictly (snake_case fields; unknown fields and wrong types are
/// refused); the navigation members let a reader take a polymorphic section apart before binding its pieces;
/// <see cref="Error"/> and <see cref="ErrorAt"/> make the one-line user error every check after binding throws.
/// </summary>
public sealed class YamlNode
{
    private readonly YamlSource _source;
    private readonly IReadOnlyList<YamlNode> _entries;
    private readonly IReadOnlyList<YamlNode> _items;

    internal YamlNode(YamlSource source, YamlKey? key, string path, int line, int column, YamlKind kind, string? value,
        IReadOnlyList<YamlNode>? entries = null, IReadOnlyList<YamlNode>? items = null)
    {
        _source = source;
        KeyInfo = key;
        Path = path;
        Line = line;
        Column = column;
        Kind = kind;
        Value = value;
        _entries = entries ?? [];
        _items = items ?? [];
    }

    /// <summary>The file this node came from, as the caller named it.</summary>
    public string File => _source.File;

    /// <summary>The dotted field path from the top of the file; empty for the top itself.</summary>
    public string Path { get; }

    /// <summary>1-based line of the node's first character.</summary>
    public int Line { get; }

    /// <summary>1-based column of the node's first character.</summary>
    public int Column { get; }

    /// <summary><c>file:line:column</c>, the way compilers and editors cite a position.</summary>
    public string Location => $"{File}:{Line}:{Column}";

    /// <summary>True for an absent value: an empty file, <c>key:</c> with nothing after it, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => Kind == YamlKind.Null;

    /// <summary>True for a text or number value.</summary>
    public bool IsScalar => Kind == YamlKind.Scalar;

    /// <summary>True for a mapping of fields.</summary>
    public bool IsMapping => Kind == YamlKind.Mapping;

    /// <summary>True for a list.</summary>
    public bool IsList => Kind == YamlKind.List;

    /// <summary>The text of a scalar as written (quotes removed); null for anything else.</summary>
    public string? Value { get; }

    /// <summary>The keys of a mapping, in file order; empty for anything else.</summary>
    public IReadOnlyList<string> Keys => _entries.Select(e => e.Key!).ToArray();

    /// <summary>The values of a mapping in file order, null values included (each knows its <see cref="Key"/>); empty for anything else.</summary>
    public IReadOnlyList<YamlNode> Values => _entries;

    /// <summary>The key this node is the value of; null for the top of the file and for list items.</summary>
    public string? Key => KeyInfo?.Name;

    /// <summary>The items of a list, in file order; empty for anything else.</summary>
    public IReadOnlyList<YamlNode> Items => _items;

    /// <summary>The entries of a mapping (key and value nodes in file order), for the reader's size accounting.</summary>
    internal IReadOnlyList<YamlNode> Entries => _entries;

    internal YamlKind Kind { get; }

    internal YamlSource Source => _source;

    /// <summary>The key this node is the value of, with the key's own position; null for the top and for list items.</summary>
    internal YamlKey? KeyInfo { get; }

    /// <summary>Parses YAML <paramref name="text"/>; <paramref name="file"/> names it in errors. An empty text gives a null node.</summary>
    /// <param name="file">The name errors cite.</param>
    /// <param name="text">The YAML.</param>
    /// <param name="fieldNoun">
    /// How errors name a field: null (the default) writes <c>path: what</c>; a noun such as <c>field</c> or
    /// <c>policy field</c> writes <c>field 'path': what</c>, the form the advisor's files have always used.
    /// </param>
    public static YamlNode Parse(string file, string text, string? fieldNoun = null) =>
        YamlTreeReader.Read(new YamlSource(file, fieldNoun), text);

    /// <summary>Reads and parses the YAML file at <paramref name="path"/>; a missing file is a user error.</summary>
    public static YamlNode Load(string path, string? fieldNoun = null)
    {
        if (!System.IO.File.Exists(path)) throw new LeverUserException($"{path}: file not found", "check the path (relative paths start at the current folder)");
        return Parse(path, System.IO.File.ReadAllText(path), fieldNoun);
    }

    /// <summary>True when this mapping has <paramref name="key"/> with a non-null value.</summary>
    public bool Has(string key) => Field(key) is not null;

    /// <summary>The value under <paramref name="key"/>, or null when the key is absent or its value is null.</summary>
    public YamlNode? Field(string key)
    {
        var e = Entry(key);
        return e is null || e.IsNull ? null : e;
    }

    /// <summary>Binds this node to <typeparamref name="T"/>; a null node gives null for a reference or nullable type and is refused for a value type.</summary>
    public T? Bind<T>() => (T?)YamlBinder.Bind(this, typeof(T));

    /// <summary>Binds this node to <typeparamref name="T"/> when it is one; false (and no error) when it is not.</summary>
    public bool TryBind<T>(out T? value)
    {
        try
        {
            value = Bind<T>();
            return true;
        }
        catch (LeverUserException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>A user error about this node: <c>file:line:col: path: what</c>, with <paramref name="hint"/> as the fix.</summary>
    public LeverUserException Error(string what, string? hint = null) =>
        new($"{Location}: {YamlMessages.Subject(_source, Path, what)}", hint ?? YamlMessages.FixValue);

    /// <summary>
    /// A user error about the field at <paramref name="relativePath"/> (dot-separated keys below this node), which
    /// may be absent: it cites the deepest part of that path the file has, and names the whole path.
    /// </summary>
    public LeverUserException ErrorAt(string relativePath, string what, string? hint = null)
    {
        if (relativePath.Length == 0) return Error(what, hint);
        // Keys may hold dots themselves (prices.models.gpt-4.1.input): at each level take the longest run of parts that is a key.
        var parts = relativePath.Split('.');
        var at = this;
        for (var i = 0; i < parts.Length;)
        {
            var end = parts.Length;
            while (end > i && at.Entry(string.Join('.', parts[i..end])) is null) end--;
            if (end == i) break;
            at = at.Entry(string.Join('.', parts[i..end]))!;
            i = end;
        }
        var path = YamlMessages.Join(Path, relativePath);
        return new($"{at.Location}: {YamlMessages.Subject(_source, path, what)}", hint ?? YamlMessages.FixValue);
    }

    /// <summary>The error for a key nobody accepts here: the nearest of <paramref name="known"/> as a suggestion, all of them in the hint.</summary>
    public LeverUserException UnknownError(IEnumerable<string> known, string? hint = null) =>
        YamlMessages.Unknown(this, known, hint);

    /// <summary>The value under <paramref name="key"/> even when it is null; null only when the key is absent.</summary>
    internal YamlNode? Entry(string key) => _entries.FirstOrDefault(e => e.Key == key);

    /// <summary>A copy of this subtree as it reads under another key (a YAML alias reused elsewhere): new paths, the anchor's positions.</summary>
    internal YamlNode At(YamlKey? key, string path)
    {
        var entries = _entries.Select(e => e.At(e.KeyInfo, YamlMessages.Join(path, e.Key!))).ToArray();
        var items = _items.Select((n, i) => n.At(null, $"{path}[{i}]")).ToArray();
        return new YamlNode(_source, key, path, Line, Column, Kind, Value, entries, items);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Location} {(Path.Length == 0 ? "(top)" : Path)}";
}
