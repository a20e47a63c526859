using System.Net;

namespace Lever.Server.Tests.TestModels;

/// <summary>An HTTP handler that answers the first requests with planted failures, then passes requests through.</summary>
internal sealed class FaultInjectingHandler(params HttpResponseMessage[] failures) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _requests;

    public int Requests => _requests;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _requests);
        return n <= failures.Length ? Task.FromResult(failures[n - 1]) : base.SendAsync(request, cancellationToken);
    }

    public static HttpResponseMessage Status(HttpStatusCode code, string? retryAfter = null)
    {
        var r = new HttpResponseMessage(code) { Content = new StringContent("{\"error\":{\"message\":\"planted failure\",\"type\":\"server_error\",\"code\":null}}") };
        if (retryAfter is not null) r.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return r;
    }
}
