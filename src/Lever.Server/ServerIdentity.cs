namespace Lever.Server;

/// <summary>
/// Who is calling: the identity an API key stands for — its id (what logs and admin listings show, never the key), the
/// user and groups retrieval filters by, and the scopes it holds. Clients cannot change any of it per request.
/// </summary>
/// <param name="Id">Name of the identity (lever.yaml <c>server.keys[].id</c>).</param>
/// <param name="User">The user retrieval permissions are checked as; null reads only documents open to everyone.</param>
/// <param name="Groups">The groups retrieval permissions are checked as.</param>
/// <param name="Scopes">What this identity may do.</param>
public sealed record ServerIdentity(string Id, string? User, IReadOnlyList<string> Groups, IReadOnlyList<ServerScope> Scopes)
{
    /// <summary>Every scope, in declaration order.</summary>
    public static IReadOnlyList<ServerScope> AllScopes { get; } = Enum.GetValues<ServerScope>();

    /// <summary>The caller of a server without keys (loopback only): every scope, no user and no group.</summary>
    public static ServerIdentity Anonymous { get; } = new("anonymous", null, [], AllScopes);

    /// <summary>True when this identity holds <paramref name="scope"/>.</summary>
    public bool Has(ServerScope scope) => Scopes.Contains(scope);

    /// <summary>A scope as configured and reported (snake_case, e.g. <c>chat</c>).</summary>
    public static string Name(ServerScope scope) => scope.ToString().ToLowerInvariant();
}
