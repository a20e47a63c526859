using System.ComponentModel.DataAnnotations;

namespace Lever.Advisor;

/// <summary><c>knowledge:</c> the facts the answers depend on.</summary>
public sealed record WorkloadKnowledge
{
    /// <summary>Size of that knowledge in tokens (default 0: the model's own knowledge suffices).</summary>
    [Range(0, double.MaxValue)]
    public long CorpusTokens { get; init; }

    /// <summary>How often it changes (default never).</summary>
    public ChangeFrequency Changes { get; init; } = ChangeFrequency.Never;

    /// <summary>Answers must cite their sources (default false).</summary>
    public bool CitationsRequired { get; init; }

    /// <summary>Different users may see different documents (default false).</summary>
    public bool PerUserPermissions { get; init; }
}
