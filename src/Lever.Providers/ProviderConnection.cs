namespace Lever.Providers;

/// <summary>
/// How providers reach the outside world: the environment the keys come from, the HTTP handler, where usage is
/// recorded and how retries wait. Defaults are the real ones; tests substitute a handler or a recording delay.
/// </summary>
public sealed class ProviderConnection
{
    /// <summary>Reads an environment variable (API keys are only ever read this way).</summary>
    public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>HTTP handler for OpenAI-compatible endpoints; null uses a default <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Where every call's usage is recorded.</summary>
    public UsageLedger Ledger { get; init; } = new();

    /// <summary>How the retry loop waits; null is <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }

    /// <summary>Folder that relative local model paths are resolved against (the workspace root).</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Overrides the first backoff step (tests use a few milliseconds).</summary>
    public TimeSpan? BaseDelay { get; init; }

    /// <summary>
    /// The backends that serve each <c>kind:</c>. The default is the OpenAI-compatible HTTP backend alone; a program that
    /// runs local models adds theirs (the CLI adds the TorchSharp engine's <c>local</c> kind).
    /// </summary>
    public ProviderBackends Backends { get; init; } = ProviderBackends.Http;
}
