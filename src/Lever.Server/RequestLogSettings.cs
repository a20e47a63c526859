namespace Lever.Server;

/// <summary>lever.yaml <c>server.request_log</c>: how the opt-in request log (<c>lever serve --log-requests</c>) treats the texts it keeps.</summary>
public sealed class RequestLogSettings
{
    /// <summary>
    /// Kinds blanked out of every message and answer before they reach disk: <c>key</c>, <c>email</c>, <c>card</c>,
    /// <c>ipv4</c>, <c>phone</c>, or <c>regex:PATTERN</c>. Null (the default): every built-in kind; <c>[]</c>: none.
    /// </summary>
    public List<string>? Redact { get; set; }
}
