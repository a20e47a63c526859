using System.Runtime.CompilerServices;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Running;
using Lever.Providers;
using Lever.Providers.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers.Tests;

public class ResilientChatClientTests
{
    /// <summary>An inner model whose calls wait on a gate the test opens, so in-flight counts are observed, not timed.</summary>
    private sealed class GatedModel : IChatClient
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;

        public int Started;
        public int Peak;

        public void Open() => _open.TrySetResult();

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Started);
            var now = Interlocked.Increment(ref _inFlight);
            lock (this) Peak = Math.Max(Peak, now);
            await _open.Task.WaitAsync(cancellationToken);
            Interlocked.Decrement(ref _inFlight);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 3, CachedInputTokenCount = 1, OutputTokenCount = 1 } };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static ProviderSettings Settings(int concurrency = 4, int retries = 2, double timeoutSeconds = 30) =>
        new("p", "http://127.0.0.1:9/v1", "m", TimeSpan.FromSeconds(timeoutSeconds), concurrency, retries) { BaseDelay = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task At_most_max_concurrency_calls_are_in_flight()
    {
        var inner = new GatedModel();
        var ledger = new UsageLedger();
        using var client = new ResilientChatClient(inner, Settings(concurrency: 2), ledger);
        var calls = Enumerable.Range(0, 6).Select(_ => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")])).ToList();
        while (Volatile.Read(ref inner.Started) < 2) await Task.Yield();
        await Task.Delay(50); // give a (wrongly) unlimited client the chance to start more
        Assert.Equal(2, Volatile.Read(ref inner.Started));
        inner.Open();
        await Task.WhenAll(calls);
        Assert.Equal(2, inner.Peak);
        Assert.Equal(6, ledger.Calls.Count);
        Assert.Equal((18L, 6L), (ledger.InputTokens, ledger.OutputTokens));
        Assert.All(ledger.Calls, c => Assert.Equal(1, c.CachedInputTokens));
    }

    [Fact]
    public async Task A_call_past_its_timeout_is_retried_then_reported_as_a_timeout()
    {
        var inner = new GatedModel(); // never opened: every attempt hangs
        var waits = new List<TimeSpan>();
        using var client = new ResilientChatClient(inner, Settings(retries: 1, timeoutSeconds: 0.05), delay: (w, _) => { waits.Add(w); return Task.CompletedTask; });
        var ex = await Assert.ThrowsAsync<ProviderCallException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "q")]));
        Assert.Equal("timeout", ex.Category);
        Assert.Contains("provider 'p' at http://127.0.0.1:9/v1 timed out after 2 attempts", ex.Message);
        Assert.Equal(2, inner.Started);
        Assert.Single(waits);
    }

    /// <summary>Fails its first stream before any chunk, then streams "a b".</summary>
    private sealed class FlakyStream : IChatClient
    {
        public int Attempts;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (Interlocked.Increment(ref Attempts) == 1) throw new HttpRequestException("connection reset");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "a");
            yield return new ChatResponseUpdate(ChatRole.Assistant, " b");
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1, OutputTokenCount = 2 })] };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_stream_that_fails_before_its_first_chunk_is_retried()
    {
        var inner = new FlakyStream();
        var ledger = new UsageLedger();
        using var client = new ResilientChatClient(inner, Settings(), ledger, (_, _) => Task.CompletedTask);
        var text = "";
        await foreach (var u in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "q")])) text += u.Text;
        Assert.Equal("a b", text);
        Assert.Equal(2, inner.Attempts);
        var call = Assert.Single(ledger.Calls);
        Assert.Equal((1, 1L, 2L, true), (call.Retries, call.InputTokens, call.OutputTokens, call.Streaming));
    }

    [Fact]
    public void Backoff_is_full_jitter_under_a_doubling_cap_and_client_errors_are_not_retried()
    {
        var policy = new RetryPolicy(maxRetries: 5, baseDelay: TimeSpan.FromMilliseconds(100), new Random(1));
        var transient = new HttpRequestException("503", null, System.Net.HttpStatusCode.ServiceUnavailable);
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            var d = policy.NextDelay(transient, attempt)!.Value.TotalMilliseconds;
            Assert.InRange(d, 0, 100 * Math.Pow(2, attempt - 1));
        }
        Assert.Null(policy.NextDelay(transient, 6));
        Assert.Null(policy.NextDelay(new HttpRequestException("400", null, System.Net.HttpStatusCode.BadRequest), 1));
        Assert.Equal("rate_limit", RetryPolicy.Category(new HttpRequestException("429", null, System.Net.HttpStatusCode.TooManyRequests)));
    }
}
