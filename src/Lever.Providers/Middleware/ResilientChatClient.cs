using System.Diagnostics;
using System.Runtime.CompilerServices;
using Lever.Providers.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers;

/// <summary>
/// Provider middleware for chat: at most <c>max_concurrency</c> calls in flight, a timeout per attempt, retries
/// with backoff and jitter on 429/5xx/timeouts (obeying Retry-After), usage recorded per call, and a final error
/// that names the provider and its base URL. A stream is retried only before its first chunk arrives.
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly Resilience _resilience;
    private readonly UsageLedger? _ledger;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ResilientChatClient(IChatClient inner, ProviderSettings settings, UsageLedger? ledger = null, Func<TimeSpan, CancellationToken, Task>? delay = null, Random? jitter = null)
        : base(inner)
    {
        _resilience = new Resilience(settings, new RetryPolicy(settings.MaxRetries, settings.BaseDelay, jitter), delay ?? Task.Delay);
        _ledger = ledger;
    }

    /// <summary>Most calls observed in flight at once.</summary>
    public int MaxInFlight => _resilience.MaxInFlight;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var (response, retries, ms) = await _resilience.RunAsync(ct => base.GetResponseAsync(list, options, ct), cancellationToken).ConfigureAwait(false);
        Record(response.Usage, options, ms, retries, streaming: false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var watch = Stopwatch.StartNew();
        // Retry until the first chunk: after that the caller has seen output and a retry would duplicate it.
        var ((enumerator, first), retries, _) = await _resilience.RunAsync(async ct =>
        {
            var e = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(ct);
            try
            {
                var has = await e.MoveNextAsync().ConfigureAwait(false);
                return (e, has ? e.Current : null);
            }
            catch
            {
                await e.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);

        UsageDetails? usage = null;
        await using (enumerator.ConfigureAwait(false))
        {
            var current = first;
            while (current is not null)
            {
                foreach (var u in current.Contents.OfType<UsageContent>())
                {
                    usage ??= new UsageDetails();
                    usage.Add(u.Details);
                }
                yield return current;
                current = await NextAsync(enumerator).ConfigureAwait(false);
            }
        }
        Record(usage, options, watch.Elapsed.TotalMilliseconds, retries, streaming: true);
    }

    private async Task<ChatResponseUpdate?> NextAsync(IAsyncEnumerator<ChatResponseUpdate> e)
    {
        try
        {
            return await e.MoveNextAsync().ConfigureAwait(false) ? e.Current : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not Core.LeverUserException)
        {
            throw RetryPolicy.Describe(ex, _resilience.Settings.Name, _resilience.Settings.BaseUrl, 1);
        }
    }

    private void Record(UsageDetails? usage, ChatOptions? options, double ms, int retries, bool streaming) =>
        _ledger?.Record(new CallUsage(_resilience.Settings.Name, options?.ModelId ?? _resilience.Settings.Model,
            usage?.InputTokenCount ?? 0, usage?.CachedInputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, ms, retries, streaming));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _resilience.Dispose();
        base.Dispose(disposing);
    }
}
