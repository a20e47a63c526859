namespace Lever.Retrieval;

/// <summary>
/// A lever.yaml rule: documents whose id (path relative to the ingested root) matches <see cref="Match"/>
/// get these tags and may be read only by these users and groups.
/// </summary>
public sealed class PathRule
{
    /// <summary>Glob over the document id: <c>*</c> within a folder, <c>**</c> across folders, <c>?</c> one character.</summary>
    public string Match { get; set; } = "**";

    /// <summary>Users allowed to read matching documents.</summary>
    public List<string>? Users { get; set; }

    /// <summary>Groups allowed to read matching documents.</summary>
    public List<string>? Groups { get; set; }

    /// <summary>Tags added to matching documents.</summary>
    public List<string>? Tags { get; set; }
}
