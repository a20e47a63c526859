using System.Diagnostics;

namespace Lever.Providers.Internal;

/// <summary>
/// The retry loop shared by chat and embedding middleware: a concurrency gate, a per-attempt timeout, retries
/// with <see cref="RetryPolicy"/> delays, and translation of the final failure into an error that names the
/// provider and its URL.
/// </summary>
internal sealed class Resilience(ProviderSettings settings, RetryPolicy policy, Func<TimeSpan, CancellationToken, Task> delay) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(Math.Max(1, settings.MaxConcurrency));
    private int _inFlight, _maxInFlight;

    public ProviderSettings Settings => settings;

    /// <summary>Most calls seen in flight at once (the gate's effect, for tests and diagnostics).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public async Task<(T Result, int Retries, double LatencyMs)> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.Timeout);
                var watch = Stopwatch.StartNew();
                Exception error;
                try
                {
                    var result = await call(timeout.Token).ConfigureAwait(false);
                    return (result, attempt - 1, watch.Elapsed.TotalMilliseconds);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    error = new TimeoutException($"no answer within {settings.Timeout.TotalSeconds:0.###} s");
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not Core.LeverUserException)
                {
                    error = ex;
                }
                if (policy.NextDelay(error, attempt) is not { } wait) throw RetryPolicy.Describe(error, settings.Name, settings.BaseUrl, attempt);
                await delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
