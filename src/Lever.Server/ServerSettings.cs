using Lever.Core.Config;

namespace Lever.Server;

/// <summary>
/// lever.yaml's <c>server:</c> section, read by <c>lever serve</c>: the identities behind API keys (<c>keys:</c> and/or
/// <c>keys_file:</c>), the limits, and whether each request is logged (identity id, route, status — never a key).
/// </summary>
public sealed class ServerSettings
{
    /// <summary>Identities and their keys.</summary>
    public List<ServerKeyOptions> Keys { get; set; } = [];

    /// <summary>A YAML file with more identities (<c>keys:</c>), relative to the workspace; typically holding <c>key_sha256</c> entries.</summary>
    public string? KeysFile { get; set; }

    /// <summary>Limits on requests.</summary>
    public ServerLimits Limits { get; set; } = new();

    /// <summary>The fine-tuning API (<c>lever serve --fine-tuning</c>): upload size, queue length, threads, checkpoints.</summary>
    public FineTuning.FineTuningSettings FineTuning { get; set; } = new();

    /// <summary>Print one line per request: identity id, method, path, status, milliseconds.</summary>
    public bool AccessLog { get; set; } = true;

    /// <summary>The request log (<c>lever serve --log-requests</c>): what is redacted before texts reach disk.</summary>
    public RequestLogSettings RequestLog { get; set; } = new();

    /// <summary>Reads and checks the <c>server:</c> section of <paramref name="config"/> (defaults when absent); errors cite file:line.</summary>
    public static ServerSettings Load(LeverConfig config)
    {
        var settings = config.Section<ServerSettings>("server") ?? new ServerSettings();
        var limits = settings.Limits;
        void Positive(bool ok, string field, string what) { if (!ok) throw config.ErrorAt("server.limits." + field, what, "set a positive number (docs/SERVER.md lists the limits)"); }
        Positive(limits.MaxBodyBytes > 0, "max_body_bytes", $"{limits.MaxBodyBytes} is not a positive size");
        Positive(limits.MaxTokens > 0, "max_tokens", $"{limits.MaxTokens} is not a positive count");
        Positive(limits.MaxConcurrentRequests >= 0, "max_concurrent_requests", $"{limits.MaxConcurrentRequests} is negative (0 is no limit)");
        Positive(limits.MaxConcurrentRequestsPerKey >= 0, "max_concurrent_requests_per_key", $"{limits.MaxConcurrentRequestsPerKey} is negative (0 is no limit)");
        Positive(limits.RequestsPerMinutePerKey >= 0, "requests_per_minute_per_key", $"{limits.RequestsPerMinutePerKey} is negative (0 is no limit)");
        Positive(limits.MinRequestBytesPerSecond >= 0, "min_request_bytes_per_second", $"{limits.MinRequestBytesPerSecond} is negative (0 turns it off)");
        Positive(limits.MinResponseBytesPerSecond >= 0, "min_response_bytes_per_second", $"{limits.MinResponseBytesPerSecond} is negative (0 turns it off)");
        Positive(limits.SlowClientGraceSeconds > 1, "slow_client_grace_seconds", $"{limits.SlowClientGraceSeconds} must be more than 1 second");
        Positive(limits.RequestHeadersTimeoutSeconds > 0, "request_headers_timeout_seconds", $"{limits.RequestHeadersTimeoutSeconds} is not a positive time");
        Positive(limits.ShutdownTimeoutSeconds >= 0, "shutdown_timeout_seconds", $"{limits.ShutdownTimeoutSeconds} is negative");
        try
        {
            _ = new Requests.Redactor(settings.RequestLog.Redact);
        }
        catch (Core.LeverUserException e)
        {
            throw config.ErrorAt("server.request_log.redact", e.Message, e.Hint ?? "");
        }
        settings.FineTuning.Check(config);
        return settings;
    }
}
