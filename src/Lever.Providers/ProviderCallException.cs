namespace Lever.Providers;

/// <summary>
/// A model call that failed after the provider middleware gave up (retries exhausted, timeout, unreachable); the
/// message names the provider and its URL, never the key. The eval runner records its <see cref="Category"/> and
/// leaves the item for a resumed run; the server maps it to an HTTP status.
/// </summary>
public sealed class ProviderCallException : Exception
{
    /// <summary>Creates the error; <paramref name="category"/> is one of rate_limit, server, timeout, unreachable, client.</summary>
    public ProviderCallException(string category, string message, Exception? inner = null) : base(message, inner) => Category = category;

    /// <summary>Why the call failed, in a word the summary counts by.</summary>
    public string Category { get; }
}
