namespace Lever.Providers;

/// <summary>One model call as the provider middleware saw it: who, how many tokens, how long, how many retries.</summary>
public sealed record CallUsage(string Provider, string? Model, long InputTokens, long CachedInputTokens, long OutputTokens, double LatencyMs, int Retries, bool Streaming);
