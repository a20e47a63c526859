namespace Lever.Server;

/// <summary>
/// One entry under <c>server.keys:</c> (or a keys file): an identity and how its key is found — the environment
/// variable that holds it (<c>key_env</c>) or its SHA-256 in hex (<c>key_sha256</c>). The key itself is never in a file.
/// </summary>
public sealed class ServerKeyOptions
{
    /// <summary>The identity's name, shown in logs and admin listings instead of the key.</summary>
    public string? Id { get; set; }

    /// <summary>Environment variable holding the key.</summary>
    public string? KeyEnv { get; set; }

    /// <summary>SHA-256 of the key, 64 hex digits (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string? KeySha256 { get; set; }

    /// <summary>The user retrieval permissions are checked as.</summary>
    public string? User { get; set; }

    /// <summary>The groups retrieval permissions are checked as.</summary>
    public List<string> Groups { get; set; } = [];

    /// <summary>What the key may do; chat and embeddings unless listed.</summary>
    public List<ServerScope> Scopes { get; set; } = [ServerScope.Chat, ServerScope.Embeddings];
}
