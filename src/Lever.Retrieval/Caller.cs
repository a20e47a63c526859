using Lever.Retrieval.Ingestion;

namespace Lever.Retrieval;

/// <summary>
/// Who is asking: a user and the groups they belong to. A caller with neither sees only public documents
/// (those that name no user or group).
/// </summary>
public sealed record Caller
{
    /// <summary>Creates a caller.</summary>
    public Caller(string? user = null, IEnumerable<string>? groups = null)
    {
        User = string.IsNullOrWhiteSpace(user) ? null : user.Trim();
        Groups = (groups ?? []).Select(g => g.Trim()).Where(g => g.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var set = new HashSet<string>(StringComparer.Ordinal) { DocumentReader.Everyone };
        if (User is not null) set.Add("u:" + User);
        foreach (var g in Groups) set.Add("g:" + g);
        Principals = set;
    }

    /// <summary>Anyone: sees public documents only.</summary>
    public static Caller Anonymous { get; } = new();

    /// <summary>The user name, or null.</summary>
    public string? User { get; }

    /// <summary>The caller's groups.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>Principal strings as stored on chunks: <c>*</c>, <c>u:NAME</c>, <c>g:NAME</c>.</summary>
    public IReadOnlySet<string> Principals { get; }
}
