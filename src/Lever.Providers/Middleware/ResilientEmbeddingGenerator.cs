using Lever.Providers.Internal;
using Microsoft.Extensions.AI;

namespace Lever.Providers;

/// <summary>Provider middleware for embeddings: the same concurrency gate, timeout, retries and usage capture as chat.</summary>
public sealed class ResilientEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Resilience _resilience;
    private readonly UsageLedger? _ledger;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ResilientEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ProviderSettings settings, UsageLedger? ledger = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
        : base(inner)
    {
        _resilience = new Resilience(settings, new RetryPolicy(settings.MaxRetries, settings.BaseDelay), delay ?? Task.Delay);
        _ledger = ledger;
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values as IList<string> ?? values.ToList();
        var (result, retries, ms) = await _resilience.RunAsync(ct => base.GenerateAsync(list, options, ct), cancellationToken).ConfigureAwait(false);
        _ledger?.Record(new CallUsage(_resilience.Settings.Name, options?.ModelId, result.Usage?.InputTokenCount ?? 0, 0, 0, ms, retries, false));
        return result;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _resilience.Dispose();
        base.Dispose(disposing);
    }
}
