namespace Lever.Server;

/// <summary>
/// lever.yaml's <c>server.limits:</c>: what one request, one identity and the whole server may use, and how a
/// refusal reads (413, 400, 429 with Retry-After, 408). Zero turns a count limit off. docs/SERVER.md lists each.
/// </summary>
public sealed class ServerLimits
{
    /// <summary>Largest request body in bytes (413 above it).</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Largest <c>max_tokens</c> / <c>max_completion_tokens</c> a request may ask for (400 above it).</summary>
    public int MaxTokens { get; set; } = 4096;

    /// <summary>Requests in flight over the whole server (429 beyond it); 0 is no limit.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Requests in flight per identity (429 beyond it); 0 is no limit.</summary>
    public int MaxConcurrentRequestsPerKey { get; set; } = 8;

    /// <summary>Requests per identity per one-minute window (429 with Retry-After beyond it); 0 is no limit.</summary>
    public int RequestsPerMinutePerKey { get; set; } = 600;

    /// <summary>A client must send its body at least this fast after <see cref="SlowClientGraceSeconds"/> (else 408); 0 turns it off.</summary>
    public double MinRequestBytesPerSecond { get; set; } = 240;

    /// <summary>A client must read a response at least this fast after <see cref="SlowClientGraceSeconds"/> (else the connection is closed); 0 turns it off.</summary>
    public double MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>Seconds a slow client is given before the two data rates apply (more than 1).</summary>
    public double SlowClientGraceSeconds { get; set; } = 5;

    /// <summary>Seconds a client may take to send its request headers.</summary>
    public double RequestHeadersTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds a stopping server (Ctrl-C, SIGTERM) lets in-flight requests finish before it cuts them off.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 30;
}
