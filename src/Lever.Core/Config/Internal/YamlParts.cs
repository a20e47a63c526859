namespace Lever.Core.Config.Internal;

/// <summary>The file a tree came from and how its errors name a field (see <see cref="YamlNode.Parse"/>).</summary>
internal sealed record YamlSource(string File, string? FieldNoun);

/// <summary>A mapping key and where it is written; errors about the key itself (unknown, duplicate) cite this position.</summary>
internal sealed record YamlKey(string Name, int Line, int Column)
{
    public string Location(YamlSource source) => $"{source.File}:{Line}:{Column}";
}

/// <summary>The four shapes a YAML value can have once anchors are resolved.</summary>
internal enum YamlKind
{
    Null,
    Scalar,
    Mapping,
    List,
}
