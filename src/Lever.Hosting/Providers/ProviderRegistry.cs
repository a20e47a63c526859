using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Cost;
using Microsoft.Extensions.AI;

namespace Lever.Hosting.Providers;

/// <summary>The providers of a workspace, from lever.yaml's <c>providers:</c> section, built on demand by name.</summary>
public sealed class ProviderRegistry
{
    private readonly IReadOnlyDictionary<string, ProviderOptions> _providers;
    private readonly string _source;

    /// <summary>Creates a registry over <paramref name="providers"/>; <paramref name="source"/> names their file in errors.</summary>
    public ProviderRegistry(IReadOnlyDictionary<string, ProviderOptions> providers, string source, ProviderConnection? connection = null)
    {
        _providers = providers;
        _source = source;
        Connection = connection ?? new ProviderConnection();
    }

    /// <summary>Reads lever.yaml's providers.</summary>
    public static ProviderRegistry Load(LeverConfig config, ProviderConnection? connection = null) =>
        new(config.Section<Dictionary<string, ProviderOptions>>("providers") ?? [], config.Path, connection);

    /// <summary>Shared connection settings (ledger, handler).</summary>
    public ProviderConnection Connection { get; }

    /// <summary>Provider names.</summary>
    public IEnumerable<string> Names => _providers.Keys;

    /// <summary>The options of provider <paramref name="name"/>; throws naming the known ones.</summary>
    public ProviderOptions Get(string name) => _providers.TryGetValue(name, out var p) ? p
        : throw new LeverUserException($"provider '{name}' is not defined in {_source}",
            _providers.Count == 0 ? "add it under providers: (kind, base_url, api_key_env, model)" : $"known providers: {string.Join(", ", _providers.Keys.Order())}");

    /// <summary>A chat client for <paramref name="name"/>, optionally for another model of the same provider.</summary>
    public IChatClient Chat(string name, string? model = null) => ProviderFactory.CreateChatClient(name, Get(name), Connection, model);

    /// <summary>An embedding generator for <paramref name="name"/>, or null when it has no embedding model.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Embeddings(string name) =>
        Get(name).EmbeddingModel is null ? null : ProviderFactory.CreateEmbeddingGenerator(name, Get(name), Connection);

    /// <summary>Token prices configured for <paramref name="name"/> (per million tokens); free when none are given.</summary>
    public TokenPrices Prices(string name) => Get(name).Prices is { } p
        ? new TokenPrices(p.InputPerMillion ?? 0, p.CachedInputPerMillion, p.OutputPerMillion ?? 0)
        : TokenPrices.Free;
}
