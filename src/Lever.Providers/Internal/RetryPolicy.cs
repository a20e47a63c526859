using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Lever.Providers.Internal;

/// <summary>
/// Which provider failures are worth retrying and how long to wait: 429, 408 and 5xx, timeouts and dropped
/// connections; exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"),
/// except that a server's Retry-After / retry-after-ms is obeyed as given, capped at a minute.
/// </summary>
internal sealed class RetryPolicy(int maxRetries, TimeSpan baseDelay, Random? random = null)
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);
    private readonly Random _random = random ?? Random.Shared;

    public int MaxRetries => maxRetries;

    /// <summary>How long to wait before retry number <paramref name="attempt"/> (1-based), or null when not to retry.</summary>
    public TimeSpan? NextDelay(Exception error, int attempt)
    {
        if (attempt > maxRetries || !IsTransient(error)) return null;
        if (RetryAfter(error) is { } told) return told < MaxDelay ? told : MaxDelay;
        double cap = Math.Min(MaxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        lock (_random) return TimeSpan.FromMilliseconds(_random.NextDouble() * cap);
    }

    public static bool IsTransient(Exception error) => error switch
    {
        ClientResultException c => c.Status is 408 or 429 or >= 500 || c.Status == 0 && c.InnerException is HttpRequestException or IOException,
        HttpRequestException h => h.StatusCode is null or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int?)h.StatusCode >= 500,
        TimeoutException or IOException => true,
        _ => false,
    };

    public static int? Status(Exception error) => error switch
    {
        ClientResultException { Status: > 0 } c => c.Status,
        HttpRequestException { StatusCode: { } s } => (int)s,
        _ => null,
    };

    /// <summary>The category a final failure is counted under in eval summaries.</summary>
    public static string Category(Exception error) => Status(error) switch
    {
        429 => "rate_limit",
        401 or 403 => "auth",
        >= 500 => "server",
        408 => "timeout",
        { } => "client",
        null when error is TimeoutException => "timeout",
        null when Unreachable(error) => "unreachable",
        _ => "error",
    };

    public static bool Unreachable(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException or HttpRequestException { StatusCode: null }) return true;
        }
        return false;
    }

    private static TimeSpan? RetryAfter(Exception error)
    {
        if (error is not ClientResultException c || c.GetRawResponse() is not { } response) return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
            return TimeSpan.FromMilliseconds(m);
        if (!response.Headers.TryGetValue("Retry-After", out var value) || value is null) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(Math.Max(0, seconds));
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>The error to surface after giving up: a <see cref="ProviderCallException"/> that names provider and URL (never the key).</summary>
    public static Exception Describe(Exception error, string provider, string? baseUrl, int attempts)
    {
        var where = $"provider '{provider}' at {baseUrl ?? "(local)"}";
        var tries = attempts > 1 ? $" after {attempts} attempts" : "";
        var status = Status(error);
        if (status is 401 or 403)
        {
            return new Core.LeverUserException($"{where} refused the API key ({status})",
                "check that the environment variable named by api_key_env holds a valid key for this endpoint", error);
        }
        if (status is 404)
        {
            return new Core.LeverUserException($"{where} answered 404: the model or path does not exist ({First(error.Message)})",
                "check base_url (it usually ends in /v1) and the model id", error);
        }
        return Category(error) switch
        {
            "unreachable" => new ProviderCallException("unreachable", $"{where} is unreachable{tries}: {Innermost(error)}", error),
            "timeout" => new ProviderCallException("timeout", $"{where} timed out{tries}", error),
            var category => new ProviderCallException(category, $"{where} failed{tries}: {(status is { } s ? $"HTTP {s}: " : "")}{First(error.Message)}", error),
        };
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return First(e.Message);
    }

    private static string First(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }
}
