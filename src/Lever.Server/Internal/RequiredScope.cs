namespace Lever.Server.Internal;

/// <summary>Endpoint metadata: the scope a caller needs. The scope middleware answers 403 naming it.</summary>
internal sealed record RequiredScope(ServerScope Scope)
{
    /// <summary>Where the authenticated <see cref="ServerIdentity"/> is kept in HttpContext.Items.</summary>
    public const string CallerKey = "lever.caller";
}
