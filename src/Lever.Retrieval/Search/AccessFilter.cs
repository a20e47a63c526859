namespace Lever.Retrieval.Search;

/// <summary>
/// Which ACL sets a caller may read, resolved once per query: an index keeps every chunk's set of allowed
/// principals as a small integer, so the check inside the scoring loop is one array load.
/// </summary>
public sealed class AccessFilter
{
    private AccessFilter(bool[] allowed, bool all)
    {
        Allowed = allowed;
        AllowsAll = all;
    }

    /// <summary>Allowed[aclId] is true when the caller may read chunks with that ACL set.</summary>
    public bool[] Allowed { get; }

    /// <summary>True when every ACL set is allowed (no filtering needed).</summary>
    public bool AllowsAll { get; }

    /// <summary>Resolves <paramref name="caller"/> against the index's distinct ACL sets.</summary>
    public static AccessFilter For(IReadOnlyList<IReadOnlyList<string>> aclSets, Caller caller)
    {
        var principals = caller.Principals;
        var allowed = new bool[aclSets.Count];
        bool all = true;
        for (int i = 0; i < aclSets.Count; i++)
        {
            allowed[i] = aclSets[i].Any(principals.Contains);
            all &= allowed[i];
        }
        return new AccessFilter(allowed, all);
    }
}
