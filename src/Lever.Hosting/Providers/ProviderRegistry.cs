using Lever.Advisor;
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

    /// <summary>Reads lever.yaml's providers, with the advisor's price book and lever.yaml's <c>prices:</c> overrides as default prices.</summary>
    public static ProviderRegistry Load(LeverConfig config, ProviderConnection? connection = null) =>
        new(config.Section<Dictionary<string, ProviderOptions>>("providers") ?? [], config.Path, connection) { PriceBook = PriceBookFor(config) };

    /// <summary>The embedded price book with the <c>prices:</c> overrides of <paramref name="config"/>'s file, when it exists.</summary>
    public static PriceBook PriceBookFor(LeverConfig config) =>
        File.Exists(config.Path) ? PriceBook.Default.WithOverrides(config.Path, File.ReadAllText(config.Path)) : PriceBook.Default;

    /// <summary>Where prices come from when a provider states none: looked up by its <c>price_id</c>, else its model.</summary>
    public PriceBook PriceBook { get; init; } = PriceBook.Default;

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

    /// <summary>
    /// Token prices of <paramref name="name"/> (per million tokens): its own <c>prices:</c> first; else the price book's
    /// entry for its <c>price_id</c>, else for <paramref name="model"/> (or its model; <c>ft:</c> ids as fine-tuned);
    /// free when none is known (a local or unknown model).
    /// </summary>
    public TokenPrices Prices(string name, string? model = null)
    {
        var options = Get(name);
        if (options.Prices is { } p) return new TokenPrices(p.InputPerMillion ?? 0, p.CachedInputPerMillion, p.OutputPerMillion ?? 0);
        if (options.Kind == "local") return TokenPrices.Free; // local compute is charged by time, not tokens
        var id = options.PriceId ?? model ?? options.Model;
        if (id is null) return TokenPrices.Free;
        var price = id.StartsWith("ft:", StringComparison.Ordinal) ? PriceBook.FineTuned(id) : PriceBook.Model(id);
        return price is null ? TokenPrices.Free : new TokenPrices(price.Input, price.CachedInput, price.Output);
    }
}
