using Microsoft.Extensions.AI;

namespace Lever.Evals.Cost;

/// <summary>
/// Tokens of one call in one convention: <see cref="Input"/> counts all prompt tokens, cached ones included, and
/// <see cref="CachedInput"/> says how many of them were prompt-cache reads.
/// </summary>
public sealed record TokenUsage(long Input, long CachedInput, long Output)
{
    /// <summary>No tokens.</summary>
    public static TokenUsage Zero { get; } = new(0, 0, 0);

    /// <summary>
    /// Normalizes a provider's counts. OpenAI-style APIs count cached tokens inside the prompt tokens
    /// (<paramref name="cachedIncludedInInput"/> = true); others (Anthropic-style) report them beside it.
    /// </summary>
    public static TokenUsage From(long? input, long? cached, long? output, bool cachedIncludedInInput = true)
    {
        long i = input ?? 0, c = cached ?? 0, o = output ?? 0;
        return cachedIncludedInInput ? new TokenUsage(i, Math.Min(c, i), o) : new TokenUsage(i + c, c, o);
    }

    /// <summary>From Microsoft.Extensions.AI usage (whose providers follow the OpenAI convention unless told otherwise).</summary>
    public static TokenUsage From(UsageDetails? usage, bool cachedIncludedInInput = true) =>
        usage is null ? Zero : From(usage.InputTokenCount, usage.CachedInputTokenCount, usage.OutputTokenCount, cachedIncludedInInput);

    /// <summary>Sum of two usages.</summary>
    public static TokenUsage operator +(TokenUsage a, TokenUsage b) => new(a.Input + b.Input, a.CachedInput + b.CachedInput, a.Output + b.Output);

    /// <summary>Same as the + operator, for languages without operators.</summary>
    public TokenUsage Add(TokenUsage other) => this + other;
}
