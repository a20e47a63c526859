using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Prices;
using Lever.Providers;
using Lever.Providers.OpenAi;
using Microsoft.Extensions.AI;

namespace Lever.Lab.Recipes.Provider;

/// <summary>
/// The hosted model the lab compares against its own, resolved by <see cref="ProviderRegistry"/> like every provider
/// (<c>providers:</c> entries, keys only from environment variables, prices from the entry or the advisor's price book
/// with <c>prices:</c> overrides; with no OpenAI-compatible provider in lever.yaml but OPENAI_API_KEY set, OpenAI itself,
/// OPENAI_BASE_URL honoured) with <c>lab.provider.model</c> or the provider's model.
/// </summary>
public sealed class HostedModel
{
    /// <summary>The model asked when only OPENAI_API_KEY is set and <c>lab.provider.model</c> names none.</summary>
    public const string DefaultModel = ProviderRegistry.DefaultOpenAiModel;

    /// <summary>The provider name used for the OPENAI_API_KEY convenience.</summary>
    public const string ImplicitName = ProviderRegistry.ImplicitOpenAiName;

    private readonly ProviderRegistry _registry;

    private HostedModel(ProviderRegistry registry, string provider, string model, LabProviderOptions options, bool implicitProvider)
    {
        _registry = registry;
        Provider = provider;
        Model = model;
        Options = options;
        Implicit = implicitProvider;
        var entry = registry.Get(provider);
        BaseUrl = registry.BaseUrl(provider);
        MaxConcurrency = Math.Max(1, entry.MaxConcurrency);
        Prices = registry.Prices(provider, model);
    }

    /// <summary>The provider's name under <c>providers:</c> (<see cref="ImplicitName"/> for the OPENAI_API_KEY convenience).</summary>
    public string Provider { get; }

    /// <summary>The model id asked.</summary>
    public string Model { get; }

    /// <summary>The endpoint.</summary>
    public string BaseUrl { get; }

    /// <summary>Requests kept in flight at once (the provider's <c>max_concurrency</c>).</summary>
    public int MaxConcurrency { get; }

    /// <summary>USD per million tokens (input, cached input, output) that each answer's measured usage is priced at.</summary>
    public TokenPrices Prices { get; }

    /// <summary>The <c>lab.provider:</c> settings.</summary>
    public LabProviderOptions Options { get; }

    /// <summary>True when the provider came from OPENAI_API_KEY alone (no <c>providers:</c> entry).</summary>
    public bool Implicit { get; }

    /// <summary>Identity for stage hashes: a different endpoint or model re-runs the hosted stages (the key is never part of it).</summary>
    public string Fingerprint => $"{Provider};{BaseUrl};{Model}";

    /// <summary>"gpt-4o-mini (provider 'openai')" for descriptions and messages.</summary>
    public string Title => $"{Model} (provider '{Provider}')";

    /// <summary>A chat client with the provider middleware (concurrency gate, retries, timeouts); fails with a named error when the key variable is unset.</summary>
    public IChatClient CreateClient() => _registry.Chat(Provider, Model);

    /// <summary>
    /// The hosted model configured for <paramref name="workspace"/>, or null when none is (or <c>lab.provider.enabled</c>
    /// is false): <c>lab.provider.name</c>, else the only OpenAI-compatible provider in lever.yaml, else OpenAI itself
    /// when OPENAI_API_KEY is set — the <see cref="ProviderRegistry"/>'s rule, used by every command.
    /// </summary>
    public static HostedModel? Resolve(Workspace workspace, LabOptions lab, ProviderConnection? connection = null)
    {
        var options = lab.Provider;
        var path = workspace.ConfigPath;
        Validate(path, options);
        if (!options.Enabled || !File.Exists(path)) return null;
        connection ??= new ProviderConnection { BaseDirectory = workspace.Root };
        var config = LeverConfig.Load(path);
        var registry = ProviderRegistry.Load(config, connection);
        if (options.Name is { } wanted && registry.Get(wanted).Kind != OpenAiBackend.KindName)
            throw new LeverUserException($"{path}: lab.provider.name: '{wanted}' is a {registry.Get(wanted).Kind} provider, not an OpenAI-compatible endpoint",
                "the lab's own model already has its local rows; name a kind: openai provider, or remove lab.provider.name");
        string? name;
        try
        {
            name = registry.ChooseChat(options.Name, "lab.provider.name", p => p.Kind == OpenAiBackend.KindName, "OpenAI-compatible providers");
        }
        catch (LeverUserException ex)
        {
            throw new LeverUserException(ex.Message, $"{ex.Hint}, or lab: {{ provider: {{ enabled: false }} }} for no hosted rows");
        }
        if (name is null) return null;
        var implicitProvider = registry.IsImplicit(name);
        var model = options.Model ?? registry.Get(name).Model
            ?? throw new LeverUserException($"{path}: provider '{name}' has no chat model for the lab", $"set providers.{name}.model, or lab.provider.model");
        return new HostedModel(registry, name, model, options, implicitProvider);
    }

    private static void Validate(string path, LabProviderOptions o)
    {
        // Cited at the field's line when lever.yaml has it (the options may also be built in code).
        void Fail(string field, string what, string hint) => throw (File.Exists(path)
            ? LeverConfig.Load(path).ErrorAt($"lab.provider.{field}", what, hint)
            : new LeverUserException($"{path}: lab.provider.{field}: {what}", hint));
        if (o.MaxTestItems is < 1) Fail("max_test_items", $"{o.MaxTestItems} is not a positive count", "give the number of test items the hosted rows answer, or remove it for all");
        if (o.PromptChars < 100) Fail("prompt_chars", $"{o.PromptChars} is too small", "use at least 100 characters");
        if (o.FewShot < 1) Fail("few_shot", $"{o.FewShot}", "use 1 or more examples (2 or 4 for two classes)");
        if (o.RagK < 1) Fail("rag_k", $"{o.RagK}", "use 1 or more retrieved examples");
        if (o.ShotChars < 50) Fail("shot_chars", $"{o.ShotChars} is too small", "use at least 50 characters");
        if (o.MaxOutputTokens is < 1) Fail("max_output_tokens", $"{o.MaxOutputTokens}", "use at least 1, or remove it");
        if (o.Temperature is < 0 or > 2) Fail("temperature", $"{o.Temperature} is outside 0–2", "use 0 for the most likely answer");
    }
}
