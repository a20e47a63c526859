using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Lever.Server.Internal;

/// <summary>
/// ASP.NET Core's rate limiter over the server's limits: requests in flight in all and per identity, and a
/// one-minute window per identity. A refusal is 429 with Retry-After and an OpenAI-style error naming the limit.
/// </summary>
internal static class RateLimits
{
    public static void Configure(RateLimiterOptions options, ServerLimits limits)
    {
        var limiters = new List<PartitionedRateLimiter<HttpContext>>();
        if (limits.MaxConcurrentRequests > 0)
        {
            limiters.Add(PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetConcurrencyLimiter("*",
                _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentRequests, QueueLimit = 0 })));
        }
        if (limits.MaxConcurrentRequestsPerKey > 0)
        {
            limiters.Add(PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetConcurrencyLimiter(context.Caller().Id,
                _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentRequestsPerKey, QueueLimit = 0 })));
        }
        if (limits.RequestsPerMinutePerKey > 0)
        {
            limiters.Add(PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(context.Caller().Id,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.RequestsPerMinutePerKey, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true })));
        }
        options.GlobalLimiter = limiters.Count switch
        {
            0 => null,
            1 => limiters[0],
            _ => PartitionedRateLimiter.CreateChained([.. limiters]),
        };
        options.RejectionStatusCode = 429;
        options.OnRejected = async (rejected, cancellationToken) =>
        {
            var context = rejected.HttpContext;
            string message;
            TimeSpan wait;
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                wait = retryAfter;
                message = $"Rate limit reached for identity '{context.Caller().Id}': at most {limits.RequestsPerMinutePerKey} requests per minute (server.limits.requests_per_minute_per_key). Retry after {Seconds(wait)} s.";
            }
            else
            {
                wait = TimeSpan.FromSeconds(1);
                message = $"Too many requests in flight: at most {limits.MaxConcurrentRequestsPerKey} per identity and {limits.MaxConcurrentRequests} in all (server.limits.max_concurrent_requests_per_key, max_concurrent_requests; 0 is no limit).";
            }
            context.Response.Headers.RetryAfter = Seconds(wait).ToString(CultureInfo.InvariantCulture);
            await ApiErrors.Write(context, 429, message, "rate_limit_error", "rate_limit_exceeded", null).ConfigureAwait(false);
        };
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
