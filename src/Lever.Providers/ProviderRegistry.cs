using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Prices;
using Lever.Providers.OpenAi;
using Microsoft.Extensions.AI;

namespace Lever.Providers;

/// <summary>
/// The one resolver from configuration to clients: lever.yaml's <c>providers:</c> (plus OpenAI itself when only
/// OPENAI_API_KEY is set), each entry built on demand by the backend of its <c>kind:</c> and wrapped in the provider
/// middleware (<see cref="ProviderPipeline"/>). Eval, ask, search, index, lab and serve all resolve through it.
/// </summary>
public sealed class ProviderRegistry
{
    /// <summary>The chat model of the provider made from OPENAI_API_KEY alone: the price book's cheapest current OpenAI chat model with a cached-input price.</summary>
    public const string DefaultOpenAiModel = "gpt-4o-mini";

    /// <summary>The local embedding model a program that ships one serves without any lever.yaml entry (Lever.Providers.Embeddings).</summary>
    public const string DefaultLocalEmbeddingModel = "all-MiniLM-L6-v2";

    /// <summary>The name of the provider made from OPENAI_API_KEY alone.</summary>
    public const string ImplicitOpenAiName = "openai";

    private readonly IReadOnlyDictionary<string, ProviderOptions> _providers;
    private readonly string _source;
    private readonly string? _implicit;

    /// <summary>Creates a registry over <paramref name="providers"/>; <paramref name="source"/> names their file in errors.</summary>
    public ProviderRegistry(IReadOnlyDictionary<string, ProviderOptions> providers, string source, ProviderConnection? connection = null)
        : this(providers, source, connection, implicitName: null)
    {
    }

    private ProviderRegistry(IReadOnlyDictionary<string, ProviderOptions> providers, string source, ProviderConnection? connection, string? implicitName)
    {
        _providers = providers;
        _source = source;
        _implicit = implicitName;
        Connection = connection ?? new ProviderConnection();
    }

    /// <summary>
    /// The providers of lever.yaml (<paramref name="config"/>), and — when it configures no OpenAI-compatible provider
    /// and OPENAI_API_KEY is set — OpenAI itself as <see cref="ImplicitOpenAiName"/> (OPENAI_BASE_URL honoured, model
    /// <see cref="DefaultOpenAiModel"/>). Token prices a provider does not state come from the workspace's price book
    /// (the embedded one with lever.yaml's <c>prices:</c> overrides).
    /// </summary>
    public static ProviderRegistry Load(LeverConfig config, ProviderConnection? connection = null)
    {
        connection ??= new ProviderConnection();
        var providers = new Dictionary<string, ProviderOptions>(config.Section<Dictionary<string, ProviderOptions>>("providers") ?? [], StringComparer.Ordinal);
        string? implicitName = null;
        if (!providers.ContainsKey(ImplicitOpenAiName) && !providers.Values.Any(p => p.Kind == OpenAiBackend.KindName)
            && connection.GetEnvironment("OPENAI_API_KEY") is { Length: > 0 })
        {
            implicitName = ImplicitOpenAiName;
            providers[implicitName] = new ProviderOptions
            {
                Kind = OpenAiBackend.KindName,
                BaseUrl = connection.GetEnvironment("OPENAI_BASE_URL") is { Length: > 0 } url ? url : OpenAiBackend.DefaultBaseUrl,
                ApiKeyEnv = "OPENAI_API_KEY",
                Model = DefaultOpenAiModel,
            };
        }
        return new ProviderRegistry(providers, config.Path, connection, implicitName) { PriceBook = PriceBook.For(config) };
    }

    /// <summary>A registry of one provider (a program or test that names its endpoint directly rather than through lever.yaml).</summary>
    public static ProviderRegistry Of(string name, ProviderOptions options, ProviderConnection? connection = null) =>
        new(new Dictionary<string, ProviderOptions>(StringComparer.Ordinal) { [name] = options }, "(code)", connection);

    /// <summary>This registry with provider <paramref name="name"/> added or replaced (e.g. <c>lever serve --model DIR</c>).</summary>
    public ProviderRegistry With(string name, ProviderOptions options) =>
        new(new Dictionary<string, ProviderOptions>(_providers, StringComparer.Ordinal) { [name] = options }, _source, Connection, name == _implicit ? null : _implicit) { PriceBook = PriceBook };

    /// <summary>Where prices come from when a provider states none: looked up by its <c>price_id</c>, else its model.</summary>
    public PriceBook PriceBook { get; init; } = PriceBook.Default;

    /// <summary>Shared connection settings (ledger, handler, backends).</summary>
    public ProviderConnection Connection { get; }

    /// <summary>Provider names.</summary>
    public IEnumerable<string> Names => _providers.Keys;

    /// <summary>True when provider <paramref name="name"/> was made from OPENAI_API_KEY, not from lever.yaml.</summary>
    public bool IsImplicit(string name) => name == _implicit;

    /// <summary>True when <paramref name="name"/> names a provider.</summary>
    public bool Contains(string name) => _providers.ContainsKey(name);

    /// <summary>The options of provider <paramref name="name"/>; throws naming the known ones.</summary>
    public ProviderOptions Get(string name) => _providers.TryGetValue(name, out var p) ? p
        : throw new LeverUserException($"provider '{name}' is not defined in {_source}",
            _providers.Count == 0 ? "add it under providers: (kind, base_url, api_key_env, model)" : $"known providers: {string.Join(", ", _providers.Keys.Order())}");

    /// <summary>The endpoint of an HTTP provider (its <c>base_url</c> or OpenAI's).</summary>
    public string BaseUrl(string name) => Get(name).BaseUrl ?? OpenAiBackend.DefaultBaseUrl;

    /// <summary>True when <paramref name="name"/> runs on the user's own compute (charged by time, not tokens).</summary>
    public bool IsLocal(string name)
    {
        var kind = Get(name).Kind;
        return Connection.Backends.Serves(kind) ? Connection.Backends.For(name, kind).IsLocal : kind != OpenAiBackend.KindName;
    }

    /// <summary>A chat client for <paramref name="name"/>, optionally for another model of the same provider, with the provider middleware.</summary>
    public IChatClient Chat(string name, string? model = null)
    {
        var options = Get(name);
        var modelId = model ?? options.Model ?? throw new LeverUserException($"provider '{name}' has no model", $"set providers.{name}.model in lever.yaml, or model: in the recipe");
        var inner = Connection.Backends.For(name, options.Kind).CreateChatClient(new ProviderEntry(name, options, modelId, Connection));
        return new ChatClientBuilder(inner).UseProviderResilience(Settings(name, options, modelId), Connection.Ledger, Connection.Delay).Build();
    }

    /// <summary>An embedding generator for <paramref name="name"/>, or null when it has no embedding model.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Embeddings(string name)
    {
        var options = Get(name);
        if (options.EmbeddingModel is not { } modelId) return null;
        var inner = Connection.Backends.For(name, options.Kind).CreateEmbeddingGenerator(new ProviderEntry(name, options, modelId, Connection));
        return new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner).UseProviderResilience(Settings(name, options, modelId), Connection.Ledger, Connection.Delay).Build();
    }

    /// <summary>
    /// A local embedding model by name, with no lever.yaml entry (an index built with the built-in model, the lab's
    /// semantic few-shot): built by the <c>kind: local</c> backend as if an entry said
    /// <c>{ kind: local, embedding_model: <paramref name="model"/> }</c>, with the middleware (no retries: a local
    /// failure does not pass by itself; 10 minutes per call). Null when this program registers no local backend.
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>>? LocalEmbeddings(string model = DefaultLocalEmbeddingModel)
    {
        const string kind = "local";
        if (!Connection.Backends.Serves(kind)) return null;
        var options = new ProviderOptions { Kind = kind, EmbeddingModel = model, TimeoutSeconds = 600, MaxRetries = 0 };
        var inner = Connection.Backends.For(kind, kind).CreateEmbeddingGenerator(new ProviderEntry(kind, options, model, Connection));
        return new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner).UseProviderResilience(Settings(kind, options, model), Connection.Ledger, Connection.Delay).Build();
    }

    /// <summary>
    /// The embedding generator of provider <paramref name="name"/> where one is required (an index's <c>embedding:</c>,
    /// named by <paramref name="field"/> in the error); a provider without <c>embedding_model</c> is a user error.
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>> RequireEmbeddings(string name, string field) =>
        Embeddings(name) ?? throw new LeverUserException($"{field}: provider '{name}' has no embedding_model",
            $"set providers.{name}.embedding_model in lever.yaml, or remove {field} for a lexical-only setup");

    /// <summary>A continuation scorer (label likelihoods) for <paramref name="name"/>; a user error when its backend cannot score.</summary>
    public IContinuationScorer Scorer(string name, string? model = null)
    {
        var options = Get(name);
        var modelId = model ?? options.Model ?? throw new LeverUserException($"provider '{name}' has no model", $"set providers.{name}.model in lever.yaml");
        return Connection.Backends.For(name, options.Kind).CreateScorer(new ProviderEntry(name, options, modelId, Connection))
            ?? throw new LeverUserException($"provider '{name}' (kind {options.Kind}) cannot score label likelihoods",
                "label scoring needs a local model (kind: local); use a generating recipe with this provider");
    }

    /// <summary>
    /// Which provider answers when a command needs one chat model: <paramref name="requested"/> if given; else the only
    /// lever.yaml provider that <paramref name="eligible"/> accepts (default: has a chat model that writes text, so a
    /// classical classifier is never chosen), preferring the one with
    /// a model when several are eligible; else the OPENAI_API_KEY provider; else null. Several candidates and no choice
    /// is a user error that names <paramref name="field"/>, the setting that chooses (<paramref name="what"/> says what
    /// the candidates are, e.g. "OpenAI-compatible providers"; <paramref name="flag"/> the command-line option that also chooses).
    /// </summary>
    public string? ChooseChat(string? requested, string field, Func<ProviderOptions, bool>? eligible = null, string what = "chat providers", string? flag = null)
    {
        if (requested is not null)
        {
            Get(requested);
            return requested;
        }
        eligible ??= p => p.Model is not null && Connection.Backends.GeneratesText(p.Kind);
        var candidates = _providers.Where(p => p.Key != _implicit && eligible(p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        if (candidates.Count > 1)
        {
            var withModel = candidates.Where(n => _providers[n].Model is not null).ToList();
            if (withModel.Count == 1) candidates = withModel;
        }
        return candidates.Count switch
        {
            0 => _implicit,
            1 => candidates[0],
            _ => throw new LeverUserException($"{_source}: {field}: {candidates.Count} {what} are configured ({string.Join(", ", candidates)}) and none is chosen",
                (flag is null ? "" : $"pass {flag} {candidates[0]}, or ") + $"set {field}: {candidates[0]} in lever.yaml"),
        };
    }

    /// <summary>
    /// Token prices of <paramref name="name"/> (per million tokens): its own <c>prices:</c> first; else the price book's
    /// entry for its <c>price_id</c>, else for <paramref name="model"/> (or its model); free when none is known (a local
    /// or unknown model).
    /// </summary>
    public TokenPrices Prices(string name, string? model = null)
    {
        var options = Get(name);
        if (options.Prices is { } p) return new TokenPrices(p.InputPerMillion ?? 0, p.CachedInputPerMillion, p.OutputPerMillion ?? 0);
        if (IsLocal(name)) return TokenPrices.Free; // local compute is charged by time, not tokens
        var id = options.PriceId ?? model ?? options.Model;
        return id is null ? TokenPrices.Free : PriceBook.TokenPrices(id) ?? TokenPrices.Free;
    }

    private ProviderSettings Settings(string name, ProviderOptions options, string modelId)
    {
        var settings = ProviderSettings.From(name, options) with { Model = modelId };
        return Connection.BaseDelay is { } d ? settings with { BaseDelay = d } : settings;
    }
}
