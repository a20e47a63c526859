using System.Runtime.ExceptionServices;
using Lever.Engine.Generation;

namespace Lever.Engine.Internal;

/// <summary>One queued generation of a batching <see cref="TextGenerator"/>: its inputs, and its result or failure once run.</summary>
internal sealed class GenerationJob(IReadOnlyList<int> prompt, GenerationOptions options, Action<GeneratedToken>? onToken, CancellationToken cancellation)
{
    private GenerationResult? _result;
    private Exception? _error;

    public IReadOnlyList<int> Prompt { get; } = prompt;

    public GenerationOptions Options { get; } = options;

    public Action<GeneratedToken>? OnToken { get; } = onToken;

    public CancellationToken Cancellation { get; } = cancellation;

    public ManualResetEventSlim Finished { get; } = new();

    public void Complete(GenerationResult result)
    {
        _result = result;
        Finished.Set();
    }

    public void Fail(Exception error)
    {
        _error = error;
        Finished.Set();
    }

    /// <summary>The result, or the failure rethrown with its original stack.</summary>
    public GenerationResult Outcome()
    {
        if (_error is not null) ExceptionDispatchInfo.Throw(_error);
        return _result ?? throw new InvalidOperationException("the generation did not run");
    }
}
