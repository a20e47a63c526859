using Lever.Core;
using Lever.Providers.OpenAi;

namespace Lever.Providers;

/// <summary>An immutable set of backends keyed by <c>kind:</c>; <see cref="With"/> returns a new set.</summary>
public sealed class ProviderBackends
{
    private readonly IReadOnlyDictionary<string, IProviderBackend> _byKind;

    private ProviderBackends(IReadOnlyDictionary<string, IProviderBackend> byKind) => _byKind = byKind;

    /// <summary>The OpenAI-compatible HTTP backend (<c>kind: openai</c>) alone.</summary>
    public static ProviderBackends Http { get; } = new(new Dictionary<string, IProviderBackend>(StringComparer.Ordinal) { [OpenAiBackend.KindName] = new OpenAiBackend() });

    /// <summary>The kinds served, in order.</summary>
    public IEnumerable<string> Kinds => _byKind.Keys.Order(StringComparer.Ordinal);

    /// <summary>This set plus <paramref name="backend"/> (replacing one of the same kind).</summary>
    public ProviderBackends With(IProviderBackend backend) =>
        new(new Dictionary<string, IProviderBackend>(_byKind.ToDictionary(), StringComparer.Ordinal) { [backend.Kind] = backend });

    /// <summary>False only when <paramref name="kind"/>'s backend is registered and answers with labels, not text.</summary>
    public bool GeneratesText(string kind) => !_byKind.TryGetValue(kind, out var backend) || backend.GeneratesText;

    /// <summary>True when a backend serves <paramref name="kind"/>.</summary>
    public bool Serves(string kind) => _byKind.ContainsKey(kind);

    /// <summary>The backend for provider <paramref name="name"/>'s <paramref name="kind"/>; a user error naming the kinds served otherwise.</summary>
    public IProviderBackend For(string name, string kind) => _byKind.TryGetValue(kind, out var b) ? b
        : throw new LeverUserException($"provider '{name}': kind '{kind}' is not supported{(kind == "local" ? " by this program (the TorchSharp engine backend is not registered)" : "")}",
            $"use kind: {string.Join(" or kind: ", Kinds)}" + (Serves("openai") ? " (openai: any OpenAI-compatible endpoint)" : ""));
}
